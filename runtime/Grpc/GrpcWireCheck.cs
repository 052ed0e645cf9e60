using System.Buffers;
using System.Text;
using Grpc.Core;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Grpc;

/// <summary>
/// Counts the <c>bytes_contents</c> of each input of a <c>ModelInferRequest</c> on the wire, before the message is parsed:
/// protobuf makes an object per element, so 64 MiB of one-byte strings would become 21 million objects (over a gigabyte)
/// before <see cref="InferInputRules"/> could refuse their shape. An input over <see cref="InferRequestLimits.MaxBytesElements"/>
/// is refused with <c>INVALID_ARGUMENT</c> here. Anything malformed ends the count and is left to the parser to report.
/// </summary>
internal static class GrpcWireCheck
{
    // Field numbers of inference.proto: ModelInferRequest.inputs, InferInputTensor.name and .contents, InferTensorContents.bytes_contents.
    private const uint InputsTag = 5 << 3 | 2, NameTag = 1 << 3 | 2, ContentsTag = 5 << 3 | 2, BytesContentsTag = 8 << 3 | 2;

    public static void CheckBytesElements(ReadOnlySequence<byte> message, InferRequestLimits limits)
    {
        var reader = new SequenceReader<byte>(message);
        while (!reader.End)
        {
            if (!TryReadVarint(ref reader, out var tag)) return;
            if (tag == InputsTag)
            {
                if (!TryReadLength(ref reader, out var input)) return;
                CheckInput(input, limits);
            }
            else if (!TrySkip(ref reader, tag)) return;
        }
    }

    private static void CheckInput(ReadOnlySequence<byte> input, InferRequestLimits limits)
    {
        var reader = new SequenceReader<byte>(input);
        ReadOnlySequence<byte> name = default;
        long count = 0;
        while (!reader.End)
        {
            if (!TryReadVarint(ref reader, out var tag)) return;
            if (tag == NameTag)
            {
                if (!TryReadLength(ref reader, out name)) return;
            }
            else if (tag == ContentsTag)
            {
                if (!TryReadLength(ref reader, out var contents)) return;
                count += CountBytesContents(contents);
            }
            else if (!TrySkip(ref reader, tag)) return;
        }
        if (count > limits.MaxBytesElements)
            throw new RpcException(new Status(StatusCode.InvalidArgument, ClientText.Message(
                $"input '{ClientText.Cut(Encoding.UTF8.GetString(name))}': contents.bytes_contents holds {count} BYTES elements, over the limit of {limits.MaxBytesElements}")));
    }

    private static long CountBytesContents(ReadOnlySequence<byte> contents)
    {
        var reader = new SequenceReader<byte>(contents);
        long count = 0;
        while (!reader.End)
        {
            if (!TryReadVarint(ref reader, out var tag)) break;
            if (tag == BytesContentsTag) count++;
            if (!TrySkip(ref reader, tag)) break;
        }
        return count;
    }

    /// <summary>Moves past the value of a field with <paramref name="tag"/>; false for a group or anything malformed.</summary>
    private static bool TrySkip(ref SequenceReader<byte> reader, ulong tag)
    {
        switch (tag & 7)
        {
            case 0: return TryReadVarint(ref reader, out _);
            case 1: return TryAdvance(ref reader, 8);
            case 2: return TryReadVarint(ref reader, out var length) && TryAdvance(ref reader, length);
            case 5: return TryAdvance(ref reader, 4);
            default: return false;
        }
    }

    private static bool TryReadLength(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> value)
    {
        value = default;
        if (!TryReadVarint(ref reader, out var length) || length > (ulong)reader.Remaining) return false;
        value = reader.UnreadSequence.Slice(0, (long)length);
        reader.Advance((long)length);
        return true;
    }

    private static bool TryAdvance(ref SequenceReader<byte> reader, ulong bytes)
    {
        if (bytes > (ulong)reader.Remaining) return false;
        reader.Advance((long)bytes);
        return true;
    }

    private static bool TryReadVarint(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b)) return false;
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
