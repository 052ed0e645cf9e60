namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>Every value name a graph uses (at any depth of sub-graphs), to make new names unique and find unused initializers.</summary>
internal sealed class OnnxNames
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public OnnxNames(OnnxGraph graph)
    {
        foreach (var name in Referenced(graph.Proto)) _taken.Add(name);
        foreach (var t in graph.Initializers) _taken.Add(OnnxGraph.NameOf(t, OnnxFields.TensorName));
        foreach (var v in graph.Inputs.Concat(graph.Outputs).Concat(graph.ValueInfos)) _taken.Add(OnnxGraph.NameOf(v, OnnxFields.ValueInfoName));
        foreach (var n in graph.Nodes) _taken.Add(OnnxNode.Name(n));
    }

    /// <summary>A name starting with <paramref name="stem"/> that nothing in the graph uses yet.</summary>
    public string Unique(string stem)
    {
        var name = stem;
        for (var i = 1; !_taken.Add(name); i++) name = $"{stem}_{i}";
        return name;
    }

    /// <summary>The names node inputs and outputs use in <paramref name="graph"/> and every sub-graph below it.</summary>
    public static HashSet<string> Referenced(ProtoMessage graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Messages(OnnxFields.GraphNode))
        {
            foreach (var name in node.Strings(OnnxFields.NodeInput).Concat(node.Strings(OnnxFields.NodeOutput))) names.Add(name);
            foreach (var attribute in node.Messages(OnnxFields.NodeAttribute))
                foreach (var sub in attribute.Messages(OnnxFields.AttributeG).Concat(attribute.Messages(OnnxFields.AttributeGraphs)))
                    names.UnionWith(Referenced(sub));
        }
        return names;
    }
}
