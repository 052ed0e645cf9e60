using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Checks on one input's declared shape that every transport (JSON, Triton's binary extension, a gRPC layer) applies
/// before it allocates anything for the tensor: the element count must fit in 64 bits, a <c>BYTES</c> tensor stays
/// under <see cref="InferRequestLimits.MaxBytesElements"/>, and the payload must be able to hold that many elements.
/// Every failure is a 400 naming the input.
/// </summary>
internal static class InferInputRules
{
    private const long SmallTensorElements = 64 * 1024;

    /// <summary>The product of the dims, or a 400 when it overflows.</summary>
    public static long ElementCount(string name, ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw ProtocolException.BadRequest($"input '{name}': 'shape' must hold non-negative integers, got {TensorSpec.Format(shape)}");
            if (d != 0 && count > long.MaxValue / d)
                throw ProtocolException.BadRequest($"input '{name}': 'shape' {TensorSpec.Format(shape)} has more elements than a tensor can hold");
            count *= d;
        }
        return count;
    }

    /// <summary>
    /// Checks that a tensor of <paramref name="shape"/> can be held and could be encoded in <paramref name="payloadBytes"/>
    /// bytes when each element takes at least <paramref name="minBytesPerElement"/> of them; returns the element count.
    /// </summary>
    public static long Check(string name, Datatype datatype, ReadOnlySpan<long> shape, long payloadBytes, int minBytesPerElement,
        InferRequestLimits limits)
    {
        var count = ElementCount(name, shape);
        if (datatype.IsBytes && count > limits.MaxBytesElements)
            throw ProtocolException.BadRequest(
                $"input '{name}': shape {TensorSpec.Format(shape)} holds {count} BYTES elements, over the limit of {limits.MaxBytesElements}");
        if (!datatype.IsBytes && count > int.MaxValue / Math.Max(datatype.Size, 1))
            throw ProtocolException.BadRequest($"input '{name}': shape {TensorSpec.Format(shape)} of {datatype} is over 2 GB, more than one tensor may hold");
        // Small tensors go on to be decoded, so that the error can say exactly how many elements the data has.
        if (minBytesPerElement > 0 && count > SmallTensorElements && count > payloadBytes / minBytesPerElement + 1)
            throw ProtocolException.BadRequest(
                $"input '{name}': shape {TensorSpec.Format(shape)} needs {count} elements but its data ({payloadBytes} bytes) cannot hold that many");
        return count;
    }
}
