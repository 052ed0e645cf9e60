using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using ModelOperator.Runtime.Grpc.Inference;

namespace ModelOperator.Runtime.Tests.Grpc;

/// <summary>Per datatype: four edge values as typed <c>contents</c> (null for FP16, which has no field) and as raw bytes.</summary>
internal static class GrpcSamples
{
    public static readonly Dictionary<string, (Action<InferTensorContents>? Typed, byte[] Raw)> ByDatatype = new()
    {
        ["BOOL"] = (c => c.BoolContents.Add([true, false, false, true]), [1, 0, 0, 1]),
        ["UINT8"] = (c => c.UintContents.Add([0, 255, 1, 128]), [0, 255, 1, 128]),
        ["UINT16"] = (c => c.UintContents.Add([0, 65535, 1, 40000]), Bytes<ushort>(0, 65535, 1, 40000)),
        ["UINT32"] = (c => c.UintContents.Add([0, uint.MaxValue, 1, 3_000_000_000]), Bytes(0u, uint.MaxValue, 1u, 3_000_000_000u)),
        ["UINT64"] = (c => c.Uint64Contents.Add([0, ulong.MaxValue, 1, 1ul << 63]), Bytes(0ul, ulong.MaxValue, 1ul, 1ul << 63)),
        ["INT8"] = (c => c.IntContents.Add([-128, 127, 0, -1]), Bytes<sbyte>(-128, 127, 0, -1)),
        ["INT16"] = (c => c.IntContents.Add([-32768, 32767, 0, -1]), Bytes<short>(-32768, 32767, 0, -1)),
        ["INT32"] = (c => c.IntContents.Add([int.MinValue, int.MaxValue, 0, -1]), Bytes(int.MinValue, int.MaxValue, 0, -1)),
        ["INT64"] = (c => c.Int64Contents.Add([long.MinValue, long.MaxValue, 0, -1]), Bytes(long.MinValue, long.MaxValue, 0L, -1L)),
        ["FP16"] = (null, Bytes((Half)0, (Half)(-1.5), (Half)65504, Half.NaN)),
        ["FP32"] = (c => c.Fp32Contents.Add([-1.5f, float.MaxValue, float.Epsilon, float.NegativeInfinity]),
            Bytes(-1.5f, float.MaxValue, float.Epsilon, float.NegativeInfinity)),
        ["FP64"] = (c => c.Fp64Contents.Add([-1.5d, double.MaxValue, double.NaN, double.PositiveInfinity]),
            Bytes(-1.5d, double.MaxValue, double.NaN, double.PositiveInfinity)),
        ["BYTES"] = (c => c.BytesContents.Add(new[] { "", "hello", "ünïcödé 🙂", "tab\tnewline\n" }.Select(ByteString.CopyFromUtf8)),
            Strings("", "hello", "ünïcödé 🙂", "tab\tnewline\n")),
    };

    /// <summary>An input of shape [2,2] with the sample as typed contents.</summary>
    public static ModelInferRequest.Types.InferInputTensor TypedInput(string name, string datatype)
    {
        var input = Input(name, datatype);
        input.Contents = new InferTensorContents();
        ByDatatype[datatype].Typed!(input.Contents);
        return input;
    }

    /// <summary>An input of shape [2,2] whose sample goes in raw_input_contents.</summary>
    public static ModelInferRequest.Types.InferInputTensor Input(string name, string datatype)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        input.Shape.Add([2, 2]);
        return input;
    }

    private static byte[] Bytes<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] Strings(params string[] values) => values.SelectMany(v =>
    {
        var utf8 = Encoding.UTF8.GetBytes(v);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, utf8.Length);
        return prefix.Concat(utf8);
    }).ToArray();
}
