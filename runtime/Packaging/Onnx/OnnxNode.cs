namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>Reads and builds <c>NodeProto</c> and <c>AttributeProto</c> messages.</summary>
internal static class OnnxNode
{
    public static string OpType(ProtoMessage node) => node.String(OnnxFields.NodeOpType) ?? "";

    public static string Domain(ProtoMessage node) => node.String(OnnxFields.NodeDomain) ?? "";

    public static string Name(ProtoMessage node) => node.String(OnnxFields.NodeName) ?? "";

    public static List<string> Inputs(ProtoMessage node) => node.Strings(OnnxFields.NodeInput).ToList();

    public static List<string> Outputs(ProtoMessage node) => node.Strings(OnnxFields.NodeOutput).ToList();

    public static ProtoMessage? Attribute(ProtoMessage node, string name) =>
        node.Messages(OnnxFields.NodeAttribute).FirstOrDefault(a => a.String(OnnxFields.AttributeName) == name);

    public static long IntAttribute(ProtoMessage node, string name, long fallback) =>
        Attribute(node, name)?.Int(OnnxFields.AttributeI) ?? fallback;

    public static float FloatAttribute(ProtoMessage node, string name, float fallback) =>
        Attribute(node, name)?.First(OnnxFields.AttributeF) is { } f ? BitConverter.ToSingle(f.Bytes.Span) : fallback;

    /// <summary>Replaces the inputs of a node, keeping its other fields.</summary>
    public static void SetInputs(ProtoMessage node, IReadOnlyList<string> inputs)
    {
        var index = node.Fields.FindIndex(f => f.Number == OnnxFields.NodeInput);
        node.Remove(OnnxFields.NodeInput);
        if (index < 0) index = 0;
        node.Fields.InsertRange(index, inputs.Select(i => ProtoField.OfString(OnnxFields.NodeInput, i)));
    }

    public static void SetOutputs(ProtoMessage node, IReadOnlyList<string> outputs)
    {
        var index = node.Fields.FindIndex(f => f.Number == OnnxFields.NodeOutput);
        node.Remove(OnnxFields.NodeOutput);
        if (index < 0) index = node.Fields.Count;
        node.Fields.InsertRange(index, outputs.Select(o => ProtoField.OfString(OnnxFields.NodeOutput, o)));
    }

    public static ProtoMessage Create(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs,
        params ProtoMessage[] attributes)
    {
        var node = new ProtoMessage();
        foreach (var input in inputs) node.Add(ProtoField.OfString(OnnxFields.NodeInput, input));
        foreach (var output in outputs) node.Add(ProtoField.OfString(OnnxFields.NodeOutput, output));
        node.Add(ProtoField.OfString(OnnxFields.NodeName, name));
        node.Add(ProtoField.OfString(OnnxFields.NodeOpType, opType));
        foreach (var attribute in attributes) node.Add(ProtoField.OfMessage(OnnxFields.NodeAttribute, attribute));
        return node;
    }

    public static ProtoMessage IntAttr(string name, long value)
    {
        var attribute = new ProtoMessage();
        attribute.Add(ProtoField.OfString(OnnxFields.AttributeName, name));
        attribute.Add(ProtoField.OfVarint(OnnxFields.AttributeI, (ulong)value));
        attribute.Add(ProtoField.OfVarint(OnnxFields.AttributeType, OnnxFields.AttributeTypeInt));
        return attribute;
    }
}
