using System.Runtime.InteropServices;

namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>Typed access to a <c>TensorProto</c>: name, type, dims, and its values wherever they are stored.</summary>
internal sealed class OnnxTensor(ProtoMessage proto)
{
    public ProtoMessage Proto { get; } = proto;

    public string Name => Proto.String(OnnxFields.TensorName) ?? "";
    public OnnxDataType DataType => (OnnxDataType)(Proto.Int(OnnxFields.TensorDataType) ?? 0);
    public long[] Dims => Proto.Ints(OnnxFields.TensorDims).ToArray();
    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);

    public bool IsExternal => Proto.Int(OnnxFields.TensorDataLocation) == OnnxFields.DataLocationExternal;

    private string? ExternalValue(string key) => Proto.Messages(OnnxFields.TensorExternalData)
        .FirstOrDefault(e => e.String(OnnxFields.EntryKey) == key)?.String(OnnxFields.EntryValue);

    public string? ExternalLocation => ExternalValue("location");

    /// <summary>The float32 values, from <c>raw_data</c>, <c>float_data</c> or an external file beside the model.</summary>
    public float[] ReadFloats(string? baseDirectory)
    {
        if (DataType != OnnxDataType.Float) throw new PackageException($"tensor '{Name}' is {DataType}, not float");
        var count = checked((int)ElementCount);
        byte[] raw;
        if (IsExternal) raw = ReadExternalBytes(baseDirectory, count * 4);
        else if (Proto.First(OnnxFields.TensorRawData) is { } r) raw = r.Bytes.ToArray();
        else
        {
            var values = new List<float>(count);
            foreach (var field in Proto.All(OnnxFields.TensorFloatData))
            {
                if (field.WireType == ProtoWireType.Fixed32) values.Add(BitConverter.ToSingle(field.Bytes.Span));
                else values.AddRange(MemoryMarshal.Cast<byte, float>(field.Bytes.Span).ToArray());
            }
            if (values.Count != count) throw new PackageException($"tensor '{Name}' holds {values.Count} floats for dims [{string.Join(",", Dims)}]");
            return values.ToArray();
        }
        if (raw.Length != count * 4) throw new PackageException($"tensor '{Name}' holds {raw.Length} bytes for {count} floats");
        if (!BitConverter.IsLittleEndian) throw new PackageException("ONNX raw data is little-endian; this machine is not");
        return MemoryMarshal.Cast<byte, float>(raw).ToArray();
    }

    /// <summary>The int64 values (a Reshape's shape), from <c>raw_data</c> or <c>int64_data</c>; external int64 tensors are not read.</summary>
    public long[] ReadInt64s()
    {
        if (DataType != OnnxDataType.Int64) throw new PackageException($"tensor '{Name}' is {DataType}, not int64");
        if (Proto.First(OnnxFields.TensorRawData) is { } r) return MemoryMarshal.Cast<byte, long>(r.Bytes.Span).ToArray();
        return Proto.Ints(OnnxFields.TensorInt64Data).ToArray();
    }

    public byte[] ReadExternalBytes(string? baseDirectory, int length)
    {
        var location = ExternalLocation ?? throw new PackageException($"tensor '{Name}' is external but names no location");
        if (baseDirectory is null) throw new PackageException($"tensor '{Name}' is in external file '{location}' but the model's directory is unknown");
        var path = PathGuard.ResolveInside(baseDirectory, location);
        var offset = long.TryParse(ExternalValue("offset"), out var o) ? o : 0;
        var declared = long.TryParse(ExternalValue("length"), out var l) ? l : length;
        if (declared != length) throw new PackageException($"tensor '{Name}' declares {declared} external bytes, its dims need {length}");
        using var file = File.OpenRead(path);
        file.Seek(offset, SeekOrigin.Begin);
        var bytes = new byte[length];
        file.ReadExactly(bytes);
        return bytes;
    }

    public static ProtoMessage Create<T>(string name, OnnxDataType type, IReadOnlyList<long> dims, ReadOnlySpan<T> values) where T : unmanaged
    {
        var tensor = new ProtoMessage();
        foreach (var d in dims) tensor.Add(ProtoField.OfVarint(OnnxFields.TensorDims, (ulong)d));
        tensor.Add(ProtoField.OfVarint(OnnxFields.TensorDataType, (ulong)type));
        tensor.Add(ProtoField.OfString(OnnxFields.TensorName, name));
        tensor.Add(ProtoField.OfBytes(OnnxFields.TensorRawData, MemoryMarshal.AsBytes(values).ToArray()));
        return tensor;
    }
}
