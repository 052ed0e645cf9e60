namespace ModelOperator.SampleModels.Onnx;

/// <summary>A node attribute (<c>AttributeProto</c>) of one of the kinds the sample models need.</summary>
public sealed class OnnxAttribute
{
    private readonly Action<ProtoWriter> _writeValue;
    private readonly int _type;

    private OnnxAttribute(string name, int type, Action<ProtoWriter> writeValue)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        (Name, _type, _writeValue) = (name, type, writeValue);
    }

    /// <summary>The attribute's name, e.g. <c>kernel_shape</c>.</summary>
    public string Name { get; }

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) =>
        new(name, OnnxFields.Attribute.TypeInt, w => w.Int64(OnnxFields.Attribute.I, value));

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) =>
        new(name, OnnxFields.Attribute.TypeFloat, w => w.Float(OnnxFields.Attribute.F, value));

    /// <summary>A string attribute (UTF-8).</summary>
    public static OnnxAttribute String(string name, string value) =>
        new(name, OnnxFields.Attribute.TypeString, w => w.Bytes(OnnxFields.Attribute.S, System.Text.Encoding.UTF8.GetBytes(value)));

    /// <summary>A list-of-integers attribute, e.g. <c>kernel_shape</c> or <c>strides</c>.</summary>
    public static OnnxAttribute Ints(string name, params long[] values)
    {
        var copy = values.ToArray();
        return new(name, OnnxFields.Attribute.TypeInts, w =>
        {
            foreach (var value in copy) w.Int64(OnnxFields.Attribute.Ints, value);
        });
    }

    /// <summary>A tensor attribute, e.g. a <c>Constant</c> node's <c>value</c>.</summary>
    internal static OnnxAttribute Tensor(string name, OnnxInitializer value) =>
        new(name, OnnxFields.Attribute.TypeTensor, w => w.Message(OnnxFields.Attribute.T, value.ToProto()));

    internal ProtoWriter ToProto()
    {
        var proto = new ProtoWriter().String(OnnxFields.Attribute.Name, Name);
        _writeValue(proto);
        return proto.Int64(OnnxFields.Attribute.Type, _type);
    }
}
