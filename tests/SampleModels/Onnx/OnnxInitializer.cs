using System.Buffers.Binary;
using System.Text;

namespace ModelOperator.SampleModels.Onnx;

/// <summary>A constant tensor stored in the graph (<c>TensorProto</c>): fixed-width values as little-endian raw_data, strings as string_data.</summary>
internal sealed class OnnxInitializer
{
    private readonly byte[]? _raw;
    private readonly string[]? _strings;

    private OnnxInitializer(string name, OnnxElementType type, long[] dims, byte[]? raw, string[]? strings)
    {
        var count = dims.Aggregate(1L, (product, dim) => product * dim);
        var given = strings?.Length ?? raw!.Length / ElementSize(type);
        if (given != count)
            throw new ArgumentException($"Initializer '{name}' has {given} values but its shape [{string.Join(",", dims)}] holds {count}.");
        (Name, Type, Dims, _raw, _strings) = (name, type, dims, raw, strings);
    }

    public string Name { get; }
    public OnnxElementType Type { get; }
    public long[] Dims { get; }

    public static OnnxInitializer Floats(string name, float[] values, long[] dims) =>
        new(name, OnnxElementType.Float, dims, Encode(values, 4, (span, v) => BinaryPrimitives.WriteSingleLittleEndian(span, v)), null);

    public static OnnxInitializer Doubles(string name, double[] values, long[] dims) =>
        new(name, OnnxElementType.Double, dims, Encode(values, 8, (span, v) => BinaryPrimitives.WriteDoubleLittleEndian(span, v)), null);

    public static OnnxInitializer Int64s(string name, long[] values, long[] dims) =>
        new(name, OnnxElementType.Int64, dims, Encode(values, 8, (span, v) => BinaryPrimitives.WriteInt64LittleEndian(span, v)), null);

    public static OnnxInitializer Int32s(string name, int[] values, long[] dims) =>
        new(name, OnnxElementType.Int32, dims, Encode(values, 4, (span, v) => BinaryPrimitives.WriteInt32LittleEndian(span, v)), null);

    public static OnnxInitializer Strings(string name, string[] values, long[] dims) =>
        new(name, OnnxElementType.String, dims, null, values.ToArray());

    public ProtoWriter ToProto()
    {
        var proto = new ProtoWriter();
        foreach (var dim in Dims) proto.Int64(OnnxFields.Tensor.Dims, dim);
        proto.Int64(OnnxFields.Tensor.DataType, (int)Type).String(OnnxFields.Tensor.Name, Name);
        if (_strings is not null)
            foreach (var value in _strings) proto.Bytes(OnnxFields.Tensor.StringData, Encoding.UTF8.GetBytes(value));
        else
            proto.Bytes(OnnxFields.Tensor.RawData, _raw!);
        return proto;
    }

    private static int ElementSize(OnnxElementType type) => type switch
    {
        OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 4,
        OnnxElementType.Double or OnnxElementType.Int64 or OnnxElementType.UInt64 => 8,
        OnnxElementType.Float16 or OnnxElementType.Int16 or OnnxElementType.UInt16 => 2,
        OnnxElementType.Bool or OnnxElementType.Int8 or OnnxElementType.UInt8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a fixed-width element type."),
    };

    private static byte[] Encode<T>(T[] values, int size, Action<Span<byte>, T> write)
    {
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++) write(bytes.AsSpan(i * size, size), values[i]);
        return bytes;
    }
}
