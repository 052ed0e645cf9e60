namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// One output of an answer as the shadow comparison sees it: its name, protocol datatype (<c>FP32</c>, <c>INT64</c>, …),
/// shape and values widened to double (row-major). Decoded from whichever wire form the answer took (JSON, binary
/// tensor, gRPC), so the comparison is the same for all three.
/// </summary>
/// <param name="Values">The values, or null for <c>BYTES</c> outputs, which have no numeric difference.</param>
internal sealed record AnswerTensor(string Name, string Datatype, long[] Shape, double[]? Values)
{
    /// <summary>Floating-point outputs are the ones read as class scores (top-1 along the last axis).</summary>
    public bool IsFloatingPoint => Datatype is "FP16" or "BF16" or "FP32" or "FP64";
}
