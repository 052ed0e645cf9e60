using ModelOperator.Runtime.Packaging.Onnx;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>
/// Brings a model's weights into the one form <see cref="Int8Quantizer"/> reads, changing no answer: initializers that
/// IR &lt; 4 lists as graph inputs become plain initializers (IR 4), weights stored as <c>Constant</c> nodes become
/// initializers, and a <c>Transpose</c> or <c>Reshape</c> of a constant weight feeding only weight inputs is folded
/// into the weight it makes. Each step it took is added to <c>done</c>, for the report.
/// </summary>
internal static class WeightPreparation
{
    /// <summary>The (op type, input index) pairs that take a weight the quantiser rewrites.</summary>
    public static readonly IReadOnlySet<(string, int)> WeightInputs = new HashSet<(string, int)>
    {
        ("MatMul", 0), ("MatMul", 1), ("Gemm", 0), ("Gemm", 1), ("Conv", 1), ("ConvTranspose", 1),
        ("LSTM", 1), ("LSTM", 2), ("GRU", 1), ("GRU", 2), ("RNN", 1), ("RNN", 2),
    };

    public static void Prepare(OnnxModel model, List<string> done)
    {
        InitializersListedAsInputs(model, done);
        HoistConstants(model, done);
        FoldWeightTransforms(model, done);
    }

    /// <summary>
    /// IR &lt; 4 requires every initializer to be listed as a graph input too, and ONNX Runtime treats them there as
    /// constants, not as inputs a caller may override. IR 4 lets initializers stand alone: so the model becomes IR 4 with
    /// its initializers dropped from the inputs, which changes neither its inputs as callers see them nor any answer.
    /// </summary>
    public static void InitializersListedAsInputs(OnnxModel model, List<string> done)
    {
        var ir = model.IrVersion;
        if (ir >= 4) return;
        var graph = model.Graph;
        var initializers = graph.Initializers.Select(t => OnnxGraph.NameOf(t, OnnxFields.TensorName)).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Inputs;
        var kept = inputs.Where(i => !initializers.Contains(OnnxGraph.NameOf(i, OnnxFields.ValueInfoName))).ToList();
        graph.SetInputs(kept);
        model.IrVersion = 4;
        done.Add($"IR version {ir} → 4: its {inputs.Count - kept.Count} initializers listed as graph inputs (as IR < 4 requires) are initializers only, as IR 4 allows; the inputs callers send are unchanged");
    }

    /// <summary>Every <c>Constant</c> node holding a tensor (<c>value</c>) becomes an initializer of the same name: the same value, readable as a weight.</summary>
    private static void HoistConstants(OnnxModel model, List<string> done)
    {
        var graph = model.Graph;
        var outputs = graph.Outputs.Select(o => OnnxGraph.NameOf(o, OnnxFields.ValueInfoName)).ToHashSet(StringComparer.Ordinal);
        var nodes = new List<ProtoMessage>();
        var hoisted = new List<ProtoMessage>();
        foreach (var node in graph.Nodes)
        {
            var output = OnnxNode.Outputs(node) is [var single] ? single : null;
            if (OnnxNode.OpType(node) == "Constant" && OnnxNode.Domain(node) is "" or "ai.onnx" && output is not null && !outputs.Contains(output)
                && OnnxNode.Attribute(node, "value")?.Message(OnnxFields.AttributeT) is { } tensor)
            {
                tensor.SetString(OnnxFields.TensorName, output);
                hoisted.Add(tensor);
                continue;
            }
            nodes.Add(node);
        }
        if (hoisted.Count == 0) return;
        graph.SetNodes(nodes);
        graph.SetInitializers(graph.Initializers.Concat(hoisted));
        done.Add($"{hoisted.Count} Constant nodes read as initializers (the same values)");
    }

    /// <summary>
    /// A <c>Transpose</c> or <c>Reshape</c> (with a constant shape) of a constant float weight whose result only weight
    /// inputs read is computed here, so the quantiser sees the weight the operator uses. In node order, so chains fold.
    /// </summary>
    private static void FoldWeightTransforms(OnnxModel model, List<string> done)
    {
        var graph = model.Graph;
        var initializers = graph.Initializers.ToDictionary(t => OnnxGraph.NameOf(t, OnnxFields.TensorName), StringComparer.Ordinal);
        var graphInputs = graph.Inputs.Select(i => OnnxGraph.NameOf(i, OnnxFields.ValueInfoName)).ToHashSet(StringComparer.Ordinal);
        var graphOutputs = graph.Outputs.Select(o => OnnxGraph.NameOf(o, OnnxFields.ValueInfoName)).ToHashSet(StringComparer.Ordinal);
        var allNodes = graph.Nodes;
        var readers = new Dictionary<string, List<(string Op, int Index)>>(StringComparer.Ordinal);
        foreach (var node in allNodes)
        {
            var inputs = OnnxNode.Inputs(node);
            for (var i = 0; i < inputs.Count; i++)
            {
                if (!readers.TryGetValue(inputs[i], out var list)) readers[inputs[i]] = list = [];
                list.Add((OnnxNode.Domain(node) is "" or "ai.onnx" ? OnnxNode.OpType(node) : "", i));
            }
        }
        // Sub-graphs may read outer values; a value they read is not folded away.
        var readInSubgraphs = allNodes.SelectMany(n => n.Messages(OnnxFields.NodeAttribute))
            .SelectMany(a => a.Messages(OnnxFields.AttributeG).Concat(a.Messages(OnnxFields.AttributeGraphs)))
            .SelectMany(OnnxNames.Referenced).ToHashSet(StringComparer.Ordinal);

        bool OnlyWeights(string name) => !graphOutputs.Contains(name) && !readInSubgraphs.Contains(name) && readers.TryGetValue(name, out var r)
            && r.All(x => WeightInputs.Contains((x.Op, x.Index)) || (x.Op is "Transpose" or "Reshape" && x.Index == 0));
        OnnxTensor? Constant(string name) => !graphInputs.Contains(name) && initializers.TryGetValue(name, out var t) ? new OnnxTensor(t) : null;

        var nodes = new List<ProtoMessage>();
        var added = new List<ProtoMessage>();
        var folded = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in allNodes)
        {
            var op = OnnxNode.Domain(node) is "" or "ai.onnx" ? OnnxNode.OpType(node) : "";
            var inputs = OnnxNode.Inputs(node);
            var output = OnnxNode.Outputs(node) is [var single] ? single : null;
            if (op is "Transpose" or "Reshape" && output is not null && inputs.Count >= 1 && Constant(inputs[0]) is { DataType: OnnxDataType.Float } data
                && OnlyWeights(output) && Fold(op, node, data, inputs, Constant, model.BaseDirectory) is var (values, dims))
            {
                var tensor = OnnxTensor.Create<float>(output, OnnxDataType.Float, dims, values);
                initializers[output] = tensor;
                added.Add(tensor);
                folded[op] = folded.GetValueOrDefault(op) + 1;
                continue;
            }
            nodes.Add(node);
        }
        if (added.Count == 0) return;
        graph.SetNodes(nodes);
        graph.SetInitializers(graph.Initializers.Concat(added));
        done.Add($"{string.Join(" and ", folded.Select(kv => $"{kv.Value} {kv.Key}"))} of constant weights computed at pack time, so the weights they make are quantised");
    }

    private static (float[] Values, long[] Dims)? Fold(string op, ProtoMessage node, OnnxTensor data, List<string> inputs,
        Func<string, OnnxTensor?> constant, string? baseDirectory)
    {
        var values = data.ReadFloats(baseDirectory);
        if (op == "Transpose")
        {
            var perm = OnnxNode.Attribute(node, "perm")?.Ints(OnnxFields.AttributeInts).ToList() ?? [];
            return WeightQuantization.Permute(values, data.Dims, perm);
        }
        if (inputs.Count < 2 || constant(inputs[1]) is not { DataType: OnnxDataType.Int64 } shapeTensor) return null;
        var shape = shapeTensor.ReadInt64s();
        var allowZero = OnnxNode.IntAttribute(node, "allowzero", 0) != 0;
        var dims = new long[shape.Length];
        var unknown = -1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 0 && !allowZero) { if (i >= data.Dims.Length) return null; dims[i] = data.Dims[i]; }
            else if (shape[i] == -1) { if (unknown >= 0) return null; unknown = i; }
            else if (shape[i] < 0) return null;
            else dims[i] = shape[i];
        }
        if (unknown >= 0)
        {
            var known = dims.Where((_, i) => i != unknown).Aggregate(1L, (a, d) => a * d);
            if (known == 0 || values.Length % known != 0) return null;
            dims[unknown] = values.Length / known;
        }
        return dims.Aggregate(1L, (a, d) => a * d) == values.Length ? (values, dims) : null;
    }
}
