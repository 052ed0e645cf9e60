namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>Typed access to a <c>GraphProto</c>: its nodes, initializers, inputs, outputs and value infos.</summary>
internal sealed class OnnxGraph(ProtoMessage proto)
{
    public ProtoMessage Proto { get; } = proto;

    public List<ProtoMessage> Nodes => Proto.Messages(OnnxFields.GraphNode).ToList();
    public List<ProtoMessage> Initializers => Proto.Messages(OnnxFields.GraphInitializer).ToList();
    public List<ProtoMessage> Inputs => Proto.Messages(OnnxFields.GraphInput).ToList();
    public List<ProtoMessage> Outputs => Proto.Messages(OnnxFields.GraphOutput).ToList();
    public List<ProtoMessage> ValueInfos => Proto.Messages(OnnxFields.GraphValueInfo).ToList();

    public static string NameOf(ProtoMessage valueInfoOrTensor, int field) => valueInfoOrTensor.String(field) ?? "";

    /// <summary>Replaces the node list (rewrites build a new ordered list), keeping every other field where it was.</summary>
    public void SetNodes(IEnumerable<ProtoMessage> nodes) => ReplaceRepeated(OnnxFields.GraphNode, nodes);

    public void SetInitializers(IEnumerable<ProtoMessage> tensors) => ReplaceRepeated(OnnxFields.GraphInitializer, tensors);

    public void SetInputs(IEnumerable<ProtoMessage> inputs) => ReplaceRepeated(OnnxFields.GraphInput, inputs);

    private void ReplaceRepeated(int number, IEnumerable<ProtoMessage> items)
    {
        var index = Proto.Fields.FindIndex(f => f.Number == number);
        var list = items.Select(m => ProtoField.OfMessage(number, m)).ToList();
        Proto.Remove(number);
        if (index < 0 || index > Proto.Fields.Count) index = Proto.Fields.Count;
        Proto.Fields.InsertRange(index, list);
    }

    /// <summary>True when any node carries a sub-graph (If, Loop, Scan): rewrites of the main graph alone would not reach it.</summary>
    public bool HasSubgraphs => Nodes.Any(n => n.Messages(OnnxFields.NodeAttribute)
        .Any(a => a.First(OnnxFields.AttributeG) is not null || a.First(OnnxFields.AttributeGraphs) is not null));
}
