using ModelOperator.Runtime.Packaging.Onnx;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>What a rewrite changed: how many operators, and each candidate left in float with the reason.</summary>
internal sealed record RewriteOutcome(int Rewritten, IReadOnlyList<string> LeftFloat);

/// <summary>
/// Dynamic int8 quantisation as a graph rewrite, in the form ONNX Runtime fuses into its integer kernels
/// (<c>DynamicQuantizeMatMul</c>): a MatMul or Gemm with a constant float weight becomes
/// <c>DynamicQuantizeLinear(A) → MatMulInteger(A_q, W_int8, A_zp) → Cast → Mul(A_scale · W_scales)</c> (+ <c>Add</c> for a Gemm's bias),
/// with symmetric per-output-channel int8 weights; a Conv keeps float compute but stores its weight as int8 behind a
/// per-channel <c>DequantizeLinear</c>. Anything else stays float, and each MatMul, Gemm or Conv that cannot be quantised is reported with why.
/// </summary>
internal static class Int8Quantizer
{
    private const long MinimumOpset = 13; // DequantizeLinear with a per-axis scale

    public static RewriteOutcome Quantize(OnnxModel model)
    {
        var graph = model.Graph;
        var opset = model.DefaultOpset;
        if (opset < MinimumOpset)
            return new RewriteOutcome(0, [$"the whole model: it imports opset {opset}, int8 rewriting needs opset {MinimumOpset} or newer"]);
        var names = new OnnxNames(graph);
        var initializers = graph.Initializers.ToDictionary(t => OnnxGraph.NameOf(t, OnnxFields.TensorName), StringComparer.Ordinal);
        var graphInputs = graph.Inputs.Select(i => OnnxGraph.NameOf(i, OnnxFields.ValueInfoName)).ToHashSet(StringComparer.Ordinal);
        var rewrite = new Rewrite(model, names, initializers, graphInputs);
        var nodes = new List<ProtoMessage>();
        var leftFloat = new List<string>();
        var rewritten = 0;
        foreach (var node in graph.Nodes)
        {
            var op = OnnxNode.Domain(node) is "" or "ai.onnx" ? OnnxNode.OpType(node) : "";
            var reason = op switch
            {
                "MatMul" => rewrite.MatMul(node, nodes),
                "Gemm" => rewrite.Gemm(node, nodes),
                "Conv" => rewrite.Conv(node, nodes),
                _ => "",
            };
            if (reason is null) { rewritten++; continue; }
            if (reason.Length > 0) leftFloat.Add($"{Describe(node)}: {reason}");
            nodes.Add(node);
        }
        graph.SetNodes(nodes);
        var used = OnnxNames.Referenced(graph.Proto);
        var outputs = graph.Outputs.Select(o => OnnxGraph.NameOf(o, OnnxFields.ValueInfoName)).ToHashSet(StringComparer.Ordinal);
        var kept = initializers.Where(kv => used.Contains(kv.Key) || outputs.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        graph.SetInitializers(kept.Values.Concat(rewrite.NewInitializers));
        // An initializer listed as a graph input (IR < 4 style) goes with it, or the model would gain a required input.
        graph.SetInputs(graph.Inputs.Where(i => !initializers.ContainsKey(OnnxGraph.NameOf(i, OnnxFields.ValueInfoName))
            || kept.ContainsKey(OnnxGraph.NameOf(i, OnnxFields.ValueInfoName))));
        return new RewriteOutcome(rewritten, leftFloat);
    }

    private static string Describe(ProtoMessage node) =>
        OnnxNode.Name(node) is { Length: > 0 } name ? $"{name} ({OnnxNode.OpType(node)})" : OnnxNode.OpType(node);

    /// <summary>The state of one rewrite: new names, new initializers, and activations already quantised (shared between consumers).</summary>
    private sealed class Rewrite(OnnxModel model, OnnxNames names, Dictionary<string, ProtoMessage> initializers, HashSet<string> graphInputs)
    {
        private readonly Dictionary<string, (string Q, string Scale, string ZeroPoint)> _quantizedActivations = new(StringComparer.Ordinal);
        private readonly Dictionary<(string, bool, float), (string Weight, string Scales)> _matMulWeights = new();
        private readonly Dictionary<string, string> _convWeights = new(StringComparer.Ordinal);

        public List<ProtoMessage> NewInitializers { get; } = [];

        /// <summary>The weight's float values and dims when it is a constant float initializer nobody can override, else why not.</summary>
        private (OnnxTensor? Tensor, string? Reason) ConstantWeight(string name)
        {
            if (!initializers.TryGetValue(name, out var proto)) return (null, $"its weight '{name}' is not a constant initializer");
            if (graphInputs.Contains(name)) return (null, $"its weight '{name}' is also a graph input, so callers may override it");
            var tensor = new OnnxTensor(proto);
            return tensor.DataType == OnnxDataType.Float ? (tensor, null) : (null, $"its weight '{name}' is {tensor.DataType}, not float32");
        }

        public string? MatMul(ProtoMessage node, List<ProtoMessage> nodes)
        {
            var inputs = OnnxNode.Inputs(node);
            if (inputs.Count != 2) return "it does not have two inputs";
            var (weight, reason) = ConstantWeight(inputs[1]);
            if (weight is null) return reason;
            if (weight.Dims.Length != 2) return $"its weight '{inputs[1]}' has rank {weight.Dims.Length}, MatMulInteger takes a 2-D weight";
            Emit(node, inputs[0], weight, transposed: false, alpha: 1f, OnnxNode.Outputs(node)[0], nodes);
            return null;
        }

        public string? Gemm(ProtoMessage node, List<ProtoMessage> nodes)
        {
            var inputs = OnnxNode.Inputs(node);
            if (OnnxNode.IntAttribute(node, "transA", 0) != 0) return "it transposes its activation (transA=1)";
            var (weight, reason) = ConstantWeight(inputs[1]);
            if (weight is null) return reason;
            if (weight.Dims.Length != 2) return $"its weight '{inputs[1]}' has rank {weight.Dims.Length}";
            var beta = OnnxNode.FloatAttribute(node, "beta", 1f);
            var hasBias = inputs.Count > 2 && inputs[2].Length > 0;
            string? bias = null;
            if (hasBias && beta != 1f)
            {
                var (biasTensor, biasReason) = ConstantWeight(inputs[2]);
                if (biasTensor is null) return $"beta={beta} with a bias that is not constant ({biasReason})";
                var scaled = biasTensor.ReadFloats(model.BaseDirectory).Select(v => v * beta).ToArray();
                bias = names.Unique(inputs[2] + "_beta");
                NewInitializers.Add(OnnxTensor.Create<float>(bias, OnnxDataType.Float, biasTensor.Dims, scaled));
            }
            else if (hasBias) bias = inputs[2];
            var output = OnnxNode.Outputs(node)[0];
            var product = bias is null ? output : names.Unique(output + "_matmul");
            Emit(node, inputs[0], weight, OnnxNode.IntAttribute(node, "transB", 0) != 0, OnnxNode.FloatAttribute(node, "alpha", 1f), product, nodes);
            if (bias is not null) nodes.Add(OnnxNode.Create("Add", names.Unique(OnnxNode.Name(node) + "_bias"), [product, bias], [output]));
            return null;
        }

        private void Emit(ProtoMessage node, string activation, OnnxTensor weight, bool transposed, float alpha, string output, List<ProtoMessage> nodes)
        {
            var stem = OnnxNode.Name(node) is { Length: > 0 } n ? n : output;
            var (q, scale, zeroPoint) = QuantizedActivation(activation, nodes);
            var (weightName, scalesName) = QuantizedMatMulWeight(weight, transposed, alpha);
            var integer = names.Unique(output + "_int32");
            var asFloat = names.Unique(output + "_int32_float");
            var combinedScale = names.Unique(output + "_scale");
            nodes.Add(OnnxNode.Create("MatMulInteger", names.Unique(stem + "_MatMulInteger"), [q, weightName, zeroPoint], [integer]));
            nodes.Add(OnnxNode.Create("Cast", names.Unique(stem + "_Cast"), [integer], [asFloat], OnnxNode.IntAttr("to", (long)OnnxDataType.Float)));
            nodes.Add(OnnxNode.Create("Mul", names.Unique(stem + "_ScaleMul"), [scale, scalesName], [combinedScale]));
            nodes.Add(OnnxNode.Create("Mul", names.Unique(stem + "_OutputMul"), [asFloat, combinedScale], [output]));
        }

        private (string Q, string Scale, string ZeroPoint) QuantizedActivation(string activation, List<ProtoMessage> nodes)
        {
            if (_quantizedActivations.TryGetValue(activation, out var done)) return done;
            var result = (names.Unique(activation + "_quantized"), names.Unique(activation + "_scale"), names.Unique(activation + "_zero_point"));
            nodes.Add(OnnxNode.Create("DynamicQuantizeLinear", names.Unique(activation + "_DynamicQuantizeLinear"), [activation],
                [result.Item1, result.Item2, result.Item3]));
            return _quantizedActivations[activation] = result;
        }

        private (string Weight, string Scales) QuantizedMatMulWeight(OnnxTensor weight, bool transposed, float alpha)
        {
            if (_matMulWeights.TryGetValue((weight.Name, transposed, alpha), out var done)) return done;
            var values = weight.ReadFloats(model.BaseDirectory);
            int rows = (int)weight.Dims[0], columns = (int)weight.Dims[1];
            if (transposed) { values = WeightQuantization.Transpose(values, rows, columns); (rows, columns) = (columns, rows); }
            var (quantized, scales) = WeightQuantization.Quantize(values, rows, columns, perColumn: true);
            if (alpha != 1f) for (var i = 0; i < scales.Length; i++) scales[i] *= alpha;
            var weightName = names.Unique(weight.Name + "_int8");
            var scalesName = names.Unique(weight.Name + "_scales");
            NewInitializers.Add(OnnxTensor.Create<sbyte>(weightName, OnnxDataType.Int8, [rows, columns], quantized));
            NewInitializers.Add(OnnxTensor.Create<float>(scalesName, OnnxDataType.Float, [columns], scales));
            return _matMulWeights[(weight.Name, transposed, alpha)] = (weightName, scalesName);
        }

        public string? Conv(ProtoMessage node, List<ProtoMessage> nodes)
        {
            var inputs = OnnxNode.Inputs(node);
            if (inputs.Count < 2) return "it has no weight input";
            var (weight, reason) = ConstantWeight(inputs[1]);
            if (weight is null) return reason;
            if (!_convWeights.TryGetValue(weight.Name, out var dequantized))
            {
                var values = weight.ReadFloats(model.BaseDirectory);
                var outChannels = (int)weight.Dims[0];
                var (quantized, scales) = WeightQuantization.Quantize(values, outChannels, values.Length / outChannels, perColumn: false);
                var weightName = names.Unique(weight.Name + "_int8");
                var scalesName = names.Unique(weight.Name + "_scales");
                dequantized = names.Unique(weight.Name + "_dequantized");
                NewInitializers.Add(OnnxTensor.Create<sbyte>(weightName, OnnxDataType.Int8, weight.Dims, quantized));
                NewInitializers.Add(OnnxTensor.Create<float>(scalesName, OnnxDataType.Float, [outChannels], scales));
                nodes.Add(OnnxNode.Create("DequantizeLinear", names.Unique(weight.Name + "_DequantizeLinear"), [weightName, scalesName], [dequantized],
                    OnnxNode.IntAttr("axis", 0)));
                _convWeights[weight.Name] = dequantized;
            }
            inputs[1] = dequantized;
            OnnxNode.SetInputs(node, inputs);
            nodes.Add(node);
            return null;
        }
    }
}
