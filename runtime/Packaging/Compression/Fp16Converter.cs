using ModelOperator.Runtime.Packaging.Onnx;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>
/// float16 weights and compute: every float32 initializer, constant and intermediate becomes float16, while the graph's
/// float32 inputs and outputs stay float32 behind <c>Cast</c> nodes at the edges, so clients send and receive what they did.
/// Inputs whose type the operator fixes at float32 (Resize's scales, Upsample's scales), whether initializers or
/// Constant nodes, are kept float32. Cast, Constant and float16 mean the same in every opset from 7, so the model's
/// opset is kept whatever it is.
/// </summary>
internal static class Fp16Converter
{
    // (op type, input index) that ONNX types as tensor(float) whatever the data type.
    private static readonly HashSet<(string, int)> FloatOnlyInputs = [("Resize", 2), ("Upsample", 1)];
    private const float Float16Max = 65504f;

    public static RewriteOutcome Convert(OnnxModel model)
    {
        var graph = model.Graph;
        if (graph.HasSubgraphs)
            throw new PackageException("--fp16 does not convert models with sub-graphs (If, Loop, Scan); pack it without --fp16");
        ExternalData.Internalize(model);
        var done = new List<string>();
        WeightPreparation.InitializersListedAsInputs(model, done);
        var names = new OnnxNames(graph);
        // An initializer still listed as a graph input (IR 4 and later) is a default callers may override with float32:
        // it stays float32 and is cast at the edge like every other input.
        var keepFloat = graph.Initializers.Select(t => OnnxGraph.NameOf(t, OnnxFields.TensorName))
            .Intersect(graph.Inputs.Select(i => OnnxGraph.NameOf(i, OnnxFields.ValueInfoName)), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            var inputs = OnnxNode.Inputs(node);
            for (var i = 0; i < inputs.Count; i++)
                if (FloatOnlyInputs.Contains((OnnxNode.OpType(node), i))) keepFloat.Add(inputs[i]);
        }

        var converted = 0;
        foreach (var tensor in graph.Initializers)
            if (!keepFloat.Contains(OnnxGraph.NameOf(tensor, OnnxFields.TensorName)) && ToFloat16(tensor, model.BaseDirectory)) converted++;

        var nodes = new List<ProtoMessage>();
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in graph.Inputs.Where(IsFloat32))
        {
            var name = OnnxGraph.NameOf(input, OnnxFields.ValueInfoName);
            if (keepFloat.Contains(name)) continue;
            var half = names.Unique(name + "_fp16");
            renamed[name] = half;
            nodes.Add(CastNode(names.Unique(name + "_CastToFloat16"), name, half, OnnxDataType.Float16));
        }
        var outputCasts = new List<ProtoMessage>();
        var outputNames = graph.Outputs.Where(IsFloat32).Select(o => OnnxGraph.NameOf(o, OnnxFields.ValueInfoName)).ToHashSet(StringComparer.Ordinal);
        var producedOutputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            OnnxNode.SetInputs(node, OnnxNode.Inputs(node).Select(i => renamed.GetValueOrDefault(i, i)).ToList());
            var outputs = OnnxNode.Outputs(node);
            for (var i = 0; i < outputs.Count; i++)
            {
                if (!outputNames.Contains(outputs[i])) continue;
                var half = names.Unique(outputs[i] + "_fp16");
                outputCasts.Add(CastNode(names.Unique(outputs[i] + "_CastToFloat32"), half, outputs[i], OnnxDataType.Float));
                producedOutputs[outputs[i]] = half;
                outputs[i] = half;
            }
            OnnxNode.SetOutputs(node, outputs);
            // A Constant that feeds a float-only input (Resize's scales, as older exporters write them) stays float32.
            var keepsFloat = OnnxNode.OpType(node) == "Constant" && outputs.Any(keepFloat.Contains);
            if (!keepsFloat && ConvertNode(node, model.BaseDirectory)) converted++;
            nodes.Add(node);
        }
        // A graph output that another node also reads: the readers take the float16 value, as before the rename.
        foreach (var node in nodes)
            OnnxNode.SetInputs(node, OnnxNode.Inputs(node).Select(i => producedOutputs.GetValueOrDefault(i, i)).ToList());
        graph.SetNodes(nodes.Concat(outputCasts));

        var edges = graph.Inputs.Concat(graph.Outputs).Select(v => OnnxGraph.NameOf(v, OnnxFields.ValueInfoName)).ToHashSet(StringComparer.Ordinal);
        var valueInfos = graph.ValueInfos.Where(v => !edges.Contains(OnnxGraph.NameOf(v, OnnxFields.ValueInfoName))).ToList();
        foreach (var info in valueInfos.Where(IsFloat32))
            info.Message(OnnxFields.ValueInfoType)!.Message(OnnxFields.TypeTensor)!.SetInt(OnnxFields.TypeTensorElemType, (long)OnnxDataType.Float16);
        graph.Proto.Remove(OnnxFields.GraphValueInfo);
        foreach (var info in valueInfos) graph.Proto.Add(ProtoField.OfMessage(OnnxFields.GraphValueInfo, info));
        return new RewriteOutcome(converted, [], done.Count > 0 ? done : null);
    }

    private static bool IsFloat32(ProtoMessage valueInfo) =>
        valueInfo.Message(OnnxFields.ValueInfoType)?.Message(OnnxFields.TypeTensor)?.Int(OnnxFields.TypeTensorElemType) == (long)OnnxDataType.Float;

    private static ProtoMessage CastNode(string name, string input, string output, OnnxDataType to) =>
        OnnxNode.Create("Cast", name, [input], [output], OnnxNode.IntAttr("to", (long)to));

    /// <summary>Casts to float32 become casts to float16, and float32 constants in attributes (Constant, ConstantOfShape) become float16.</summary>
    private static bool ConvertNode(ProtoMessage node, string? baseDirectory)
    {
        var changed = false;
        if (OnnxNode.OpType(node) == "Cast" && OnnxNode.Attribute(node, "to") is { } to && to.Int(OnnxFields.AttributeI) == (long)OnnxDataType.Float)
        {
            to.SetInt(OnnxFields.AttributeI, (long)OnnxDataType.Float16);
            changed = true;
        }
        foreach (var attribute in node.Messages(OnnxFields.NodeAttribute))
            if (attribute.Message(OnnxFields.AttributeT) is { } tensor) changed |= ToFloat16(tensor, baseDirectory);
        return changed;
    }

    /// <summary>Rewrites a float32 tensor in place as float16 (values beyond float16's range saturate); false for other types.</summary>
    private static bool ToFloat16(ProtoMessage proto, string? baseDirectory)
    {
        var tensor = new OnnxTensor(proto);
        if (tensor.DataType != OnnxDataType.Float) return false;
        var values = tensor.ReadFloats(baseDirectory);
        var halves = new Half[values.Length];
        for (var i = 0; i < values.Length; i++) halves[i] = (Half)Math.Clamp(values[i], -Float16Max, Float16Max);
        var replacement = OnnxTensor.Create<Half>(tensor.Name, OnnxDataType.Float16, tensor.Dims, halves);
        foreach (var number in new[] { OnnxFields.TensorDataType, OnnxFields.TensorFloatData, OnnxFields.TensorRawData, OnnxFields.TensorExternalData, OnnxFields.TensorDataLocation })
            proto.Remove(number);
        proto.Set(replacement.First(OnnxFields.TensorDataType)!);
        proto.Set(replacement.First(OnnxFields.TensorRawData)!);
        return true;
    }
}
