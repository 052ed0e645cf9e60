using ModelOperator.Runtime.Packaging.Onnx;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>
/// What a rewrite changed: how many operators, each weight-bearing operator left in float with the reason, and what
/// was done to the model as a whole (in words, for the report).
/// </summary>
internal sealed record RewriteOutcome(int Rewritten, IReadOnlyList<string> LeftFloat, IReadOnlyList<string>? Done = null);

/// <summary>
/// Dynamic int8 quantisation as a graph rewrite into ONNX Runtime's <c>com.microsoft</c> contrib operators, which do not
/// depend on the model's default opset, so models of any opset from 7 up are rewritten alike and their default opset is
/// never changed (changing it would change what Softmax, Squeeze, Split, Clip, Pad, Resize… mean):
/// <list type="bullet">
/// <item>a MatMul with a constant 2-D weight on the right, or a Gemm with a constant weight B, becomes
/// <c>DynamicQuantizeMatMul</c>: int8 weights with one scale per output column, activations quantised to uint8 on each
/// run, integer compute (alpha folded into the scales, beta into the bias);</item>
/// <item>Conv, ConvTranspose, LSTM, GRU and RNN weights, a MatMul's constant left operand, a weight of rank other than 2
/// and a Gemm's constant A keep float compute but store their weight as int8 with one scale per output channel, decoded
/// by a standard <c>Cast</c> and <c>Mul</c> (opset 7 and up): ONNX Runtime folds those into a float constant when it
/// loads the model, so it still prepacks, fuses and lays out the weight as before (a <c>DequantizeLinear</c> it would
/// run on every call, and Conv would lose its NCHWc kernels: 0.75× the float speed on an OCR recogniser).</item>
/// </list>
/// Weights are first brought into initializer form by <see cref="WeightPreparation"/>. A weight shared between nodes is
/// quantised once. Operators inside sub-graphs (If, Loop, Scan) whose weights are main-graph initializers get weight-only
/// int8. Every weight-bearing operator that stays float is reported with why.
/// </summary>
internal static class Int8Quantizer
{
    public const string ContribDomain = "com.microsoft";

    /// <summary>The oldest opset whose Mul broadcasts as numpy does, which the weight-only decoding relies on.</summary>
    public const long MinimumOpset = 7;

    public static RewriteOutcome Quantize(OnnxModel model)
    {
        if (model.DefaultOpset < MinimumOpset)
            return new RewriteOutcome(0, [$"the whole model: it imports opset {model.DefaultOpset}; int8 needs opset {MinimumOpset} or newer, where Mul broadcasts as the weight decoding needs"]);
        var done = new List<string>();
        WeightPreparation.Prepare(model, done);
        var graph = model.Graph;
        var names = new OnnxNames(graph);
        var initializers = graph.Initializers.ToDictionary(t => OnnxGraph.NameOf(t, OnnxFields.TensorName), StringComparer.Ordinal);
        var graphInputs = graph.Inputs.Select(i => OnnxGraph.NameOf(i, OnnxFields.ValueInfoName)).ToHashSet(StringComparer.Ordinal);
        var rewrite = new Rewrite(model, names, initializers, graphInputs);
        var nodes = new List<ProtoMessage>();
        var leftFloat = new List<string>();
        foreach (var node in graph.Nodes)
        {
            var op = OnnxNode.Domain(node) is "" or "ai.onnx" ? OnnxNode.OpType(node) : "";
            var reason = op switch
            {
                "MatMul" => rewrite.MatMul(node, nodes),
                "Gemm" => rewrite.Gemm(node, nodes),
                "Conv" => rewrite.WeightOnly(node, "Conv", [1], axis: 0, nodes),
                "ConvTranspose" => rewrite.WeightOnly(node, "ConvTranspose", [1], axis: 1, nodes),
                "LSTM" or "GRU" or "RNN" => rewrite.WeightOnly(node, op, [1, 2], axis: 1, nodes),
                _ when OnnxNode.Domain(node) is not ("" or "ai.onnx") => rewrite.OtherDomain(node),
                _ => rewrite.Subgraphs(node, nodes, leftFloat),
            };
            if (reason is null) continue;
            if (reason.Length > 0) leftFloat.Add($"{Describe(node)}: {reason}");
            nodes.Add(node);
        }
        graph.SetNodes(nodes);
        var used = OnnxNames.Referenced(graph.Proto);
        var outputs = graph.Outputs.Select(o => OnnxGraph.NameOf(o, OnnxFields.ValueInfoName)).ToHashSet(StringComparer.Ordinal);
        var kept = initializers.Where(kv => used.Contains(kv.Key) || outputs.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        graph.SetInitializers(kept.Values.Concat(rewrite.NewInitializers));
        // An initializer listed as a graph input goes with it, or the model would gain a required input.
        graph.SetInputs(graph.Inputs.Where(i => !initializers.ContainsKey(OnnxGraph.NameOf(i, OnnxFields.ValueInfoName))
            || kept.ContainsKey(OnnxGraph.NameOf(i, OnnxFields.ValueInfoName))));
        if (rewrite.Rewritten > 0)
        {
            if (rewrite.UsesContrib) model.ImportOpset(ContribDomain, 1);
            done.AddRange(rewrite.Summary());
            done.Add($"default opset {model.DefaultOpset} kept: DynamicQuantizeMatMul is an ONNX Runtime {ContribDomain} operator, which any opset can import, " +
                "and Cast and Mul mean the same in every opset from 7");
        }
        return new RewriteOutcome(rewrite.Rewritten, leftFloat, done);
    }

    internal static string Describe(ProtoMessage node) =>
        OnnxNode.Name(node) is { Length: > 0 } name ? $"{name} ({OnnxNode.OpType(node)})" : OnnxNode.OpType(node);

    private static ProtoMessage Contrib(string opType, string name, IEnumerable<string> inputs, IEnumerable<string> outputs, params ProtoMessage[] attributes)
    {
        var node = OnnxNode.Create(opType, name, inputs, outputs, attributes);
        node.Add(ProtoField.OfString(OnnxFields.NodeDomain, ContribDomain));
        return node;
    }

    /// <summary>The state of one rewrite: new names, new initializers, weights already quantised (shared between consumers), and counts.</summary>
    private sealed class Rewrite(OnnxModel model, OnnxNames names, Dictionary<string, ProtoMessage> initializers, HashSet<string> graphInputs)
    {
        private readonly Dictionary<(string, bool, float), (string Weight, string Scales)> _matMulWeights = new();
        private readonly Dictionary<(string, int), string> _dequantized = new();

        private readonly SortedDictionary<string, int> _integer = new(StringComparer.Ordinal);
        private readonly SortedDictionary<string, int> _weightOnly = new(StringComparer.Ordinal);

        public List<ProtoMessage> NewInitializers { get; } = [];
        public int Rewritten => _integer.Values.Sum() + _weightOnly.Values.Sum();
        public bool UsesContrib => _integer.Count > 0;

        public IEnumerable<string> Summary()
        {
            static string Counts(SortedDictionary<string, int> counts) => string.Join(", ", counts.Select(kv => $"{kv.Value} {kv.Key}"));
            if (_integer.Count > 0)
                yield return $"{Counts(_integer)} → {ContribDomain}.DynamicQuantizeMatMul: int8 weights, one scale per output column; activations quantised to uint8 on each run; integer compute";
            if (_weightOnly.Count > 0)
                yield return $"{Counts(_weightOnly)}: weight-only int8, one scale per output channel, decoded by Cast and Mul, which ONNX Runtime folds back into a float constant when it loads the model: float compute at float speed";
        }

        /// <summary>The weight's float values and dims when it is a constant float initializer nobody can override, else why not.</summary>
        private (OnnxTensor? Tensor, string? Reason) ConstantWeight(string name)
        {
            if (!initializers.TryGetValue(name, out var proto)) return (null, $"'{name}' is computed, not a constant weight");
            if (graphInputs.Contains(name)) return (null, $"its weight '{name}' is also a graph input, so callers may override it");
            var tensor = new OnnxTensor(proto);
            return tensor.DataType == OnnxDataType.Float ? (tensor, null) : (null, $"its weight '{name}' is {tensor.DataType}, not float32");
        }

        public string? MatMul(ProtoMessage node, List<ProtoMessage> nodes)
        {
            var inputs = OnnxNode.Inputs(node);
            if (inputs.Count != 2) return "it does not have two inputs";
            var (right, rightReason) = ConstantWeight(inputs[1]);
            if (right is { Dims.Length: 2 })
            {
                Emit(node, inputs[0], right, transposed: false, alpha: 1f, bias: null, OnnxNode.Outputs(node)[0], nodes);
                _integer["MatMul"] = _integer.GetValueOrDefault("MatMul") + 1;
                return null;
            }
            if (right is { Dims.Length: > 2 }) return WeightOnly(node, "MatMul (weight of rank > 2)", [1], axis: right.Dims.Length - 1, nodes);
            var (left, leftReason) = ConstantWeight(inputs[0]);
            if (left is { Dims.Length: >= 2 }) return WeightOnly(node, "MatMul (constant on the left)", [0], axis: left.Dims.Length - 2, nodes);
            if (right is not null || left is not null) return "its constant operand is 1-D, too small to gain from int8";
            return $"both operands are computed (activation × activation): {leftReason}; {rightReason}";
        }

        public string? Gemm(ProtoMessage node, List<ProtoMessage> nodes)
        {
            var inputs = OnnxNode.Inputs(node);
            var (weight, reason) = ConstantWeight(inputs[1]);
            if (weight is null)
                return ConstantWeight(inputs[0]).Tensor is not null
                    ? WeightOnly(node, "Gemm (constant A)", [0], axis: 0, nodes)
                    : $"both operands are computed: {reason}";
            if (weight.Dims.Length != 2) return $"its weight '{inputs[1]}' has rank {weight.Dims.Length}";
            if (OnnxNode.IntAttribute(node, "transA", 0) != 0) return WeightOnly(node, "Gemm (transA=1)", [1], axis: OnnxNode.IntAttribute(node, "transB", 0) != 0 ? 0 : 1, nodes);
            var transposed = OnnxNode.IntAttribute(node, "transB", 0) != 0;
            var columns = weight.Dims[transposed ? 0 : 1];
            var beta = OnnxNode.FloatAttribute(node, "beta", 1f);
            var hasBias = inputs.Count > 2 && inputs[2].Length > 0;
            string? fusedBias = null, addedBias = null;
            if (hasBias)
            {
                var (biasTensor, biasReason) = ConstantWeight(inputs[2]);
                if (biasTensor is not null && biasTensor.Dims.Length >= 1 && biasTensor.ElementCount == columns && biasTensor.Dims[..^1].All(d => d == 1))
                {
                    // A bias of N values (shape [N] or [1,N]) is DynamicQuantizeMatMul's own 1-D bias input.
                    var values = biasTensor.ReadFloats(model.BaseDirectory);
                    if (beta != 1f || biasTensor.Dims.Length != 1)
                    {
                        fusedBias = names.Unique(inputs[2] + "_bias");
                        NewInitializers.Add(OnnxTensor.Create<float>(fusedBias, OnnxDataType.Float, [columns], values.Select(v => v * beta).ToArray()));
                    }
                    else fusedBias = inputs[2];
                }
                else if (beta == 1f) addedBias = inputs[2];
                else if (biasTensor is not null)
                {
                    addedBias = names.Unique(inputs[2] + "_beta");
                    NewInitializers.Add(OnnxTensor.Create<float>(addedBias, OnnxDataType.Float, biasTensor.Dims,
                        biasTensor.ReadFloats(model.BaseDirectory).Select(v => v * beta).ToArray()));
                }
                else return $"beta={beta} with a bias that is not constant ({biasReason})";
            }
            var output = OnnxNode.Outputs(node)[0];
            var product = addedBias is null ? output : names.Unique(output + "_matmul");
            Emit(node, inputs[0], weight, transposed, OnnxNode.FloatAttribute(node, "alpha", 1f), fusedBias, product, nodes);
            if (addedBias is not null) nodes.Add(OnnxNode.Create("Add", names.Unique(OnnxNode.Name(node) + "_bias"), [product, addedBias], [output]));
            _integer["Gemm"] = _integer.GetValueOrDefault("Gemm") + 1;
            return null;
        }

        private void Emit(ProtoMessage node, string activation, OnnxTensor weight, bool transposed, float alpha, string? bias, string output, List<ProtoMessage> nodes)
        {
            var stem = OnnxNode.Name(node) is { Length: > 0 } n ? n : output;
            var (weightName, scalesName) = QuantizedMatMulWeight(weight, transposed, alpha);
            List<string> inputs = bias is null ? [activation, weightName, scalesName] : [activation, weightName, scalesName, "", bias];
            nodes.Add(Contrib("DynamicQuantizeMatMul", names.Unique(stem + "_DynamicQuantizeMatMul"), inputs, [output]));
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

        /// <summary>
        /// Stores the constant weights at <paramref name="weightInputs"/> as int8 with one scale per index along
        /// <paramref name="axis"/>, decoded by Cast and Mul (folded to a float constant at load); the node itself keeps computing in float.
        /// </summary>
        /// <param name="subgraphNames">For a node inside a sub-graph: the names its sub-graphs define, which hide the main graph's.
        /// The node then stays where it is and reads the decoded weight from the main graph (outer scope).</param>
        public string? WeightOnly(ProtoMessage node, string kind, int[] weightInputs, int axis, List<ProtoMessage> nodes, IReadOnlySet<string>? subgraphNames = null)
        {
            var inputs = OnnxNode.Inputs(node);
            var reasons = new List<string>();
            var changed = false;
            foreach (var index in weightInputs)
            {
                if (index >= inputs.Count || inputs[index].Length == 0) { reasons.Add($"it has no input {index}"); continue; }
                if (subgraphNames?.Contains(inputs[index]) == true) { reasons.Add($"its weight '{inputs[index]}' is defined inside the sub-graph"); continue; }
                var (weight, reason) = ConstantWeight(inputs[index]);
                if (weight is null) { reasons.Add(reason!); continue; }
                if (axis >= weight.Dims.Length) { reasons.Add($"its weight '{weight.Name}' has rank {weight.Dims.Length}"); continue; }
                if (!_dequantized.TryGetValue((weight.Name, axis), out var dequantized))
                {
                    var (quantized, scales) = WeightQuantization.QuantizePerAxis(weight.ReadFloats(model.BaseDirectory), weight.Dims, axis);
                    var weightName = names.Unique(weight.Name + "_int8");
                    var scalesName = names.Unique(weight.Name + "_scales");
                    var asFloat = names.Unique(weight.Name + "_int8_float");
                    dequantized = names.Unique(weight.Name + "_dequantized");
                    // The scales broadcast along the axis: [C, 1, …, 1] with one 1 per axis after it.
                    long[] scaleDims = [scales.Length, .. Enumerable.Repeat(1L, weight.Dims.Length - 1 - axis)];
                    NewInitializers.Add(OnnxTensor.Create<sbyte>(weightName, OnnxDataType.Int8, weight.Dims, quantized));
                    NewInitializers.Add(OnnxTensor.Create<float>(scalesName, OnnxDataType.Float, scaleDims, scales));
                    nodes.Add(OnnxNode.Create("Cast", names.Unique(weight.Name + "_Cast"), [weightName], [asFloat], OnnxNode.IntAttr("to", (long)OnnxDataType.Float)));
                    nodes.Add(OnnxNode.Create("Mul", names.Unique(weight.Name + "_Scale"), [asFloat, scalesName], [dequantized]));
                    _dequantized[(weight.Name, axis)] = dequantized;
                }
                inputs[index] = dequantized;
                changed = true;
            }
            if (!changed) return string.Join("; ", reasons);
            OnnxNode.SetInputs(node, inputs);
            if (subgraphNames is null) nodes.Add(node);
            _weightOnly[kind] = _weightOnly.GetValueOrDefault(kind) + 1;
            return null;
        }

        /// <summary>
        /// Why an operator of another domain (ONNX Runtime's FusedConv or FusedMatMul after <c>--optimize</c>, a custom
        /// operator) that reads a float weight stays float; "" when it reads none.
        /// </summary>
        public string OtherDomain(ProtoMessage node)
        {
            var weights = OnnxNode.Inputs(node).Where(i => ConstantWeight(i).Tensor is { ElementCount: >= 16 }).ToList();
            return weights.Count == 0 ? "" :
                $"it is a {OnnxNode.Domain(node)} operator, which the quantiser does not rewrite (pack without --optimize to quantise ONNX Runtime's fused operators' weights); its weights {string.Join(", ", weights.Select(w => $"'{w}'"))} stay float";
        }

        /// <summary>
        /// The weight-bearing operators inside a node's sub-graphs (If, Loop, Scan bodies, at any depth) whose weights are
        /// main-graph initializers: weight-only int8, decoded in the main graph before the node (ONNX Runtime folds the
        /// decoding at load, and sub-graphs read it from the outer scope). Those left float go to <paramref name="leftFloat"/>.
        /// </summary>
        public string Subgraphs(ProtoMessage node, List<ProtoMessage> nodes, List<string> leftFloat)
        {
            void Visit(ProtoMessage graph, HashSet<string> enclosing)
            {
                var defined = new HashSet<string>(enclosing, StringComparer.Ordinal);
                defined.UnionWith(graph.Messages(OnnxFields.GraphInitializer).Select(t => OnnxGraph.NameOf(t, OnnxFields.TensorName)));
                defined.UnionWith(graph.Messages(OnnxFields.GraphInput).Select(i => OnnxGraph.NameOf(i, OnnxFields.ValueInfoName)));
                foreach (var inner in graph.Messages(OnnxFields.GraphNode)) defined.UnionWith(OnnxNode.Outputs(inner));
                foreach (var inner in graph.Messages(OnnxFields.GraphNode))
                {
                    var op = OnnxNode.Domain(inner) is "" or "ai.onnx" ? OnnxNode.OpType(inner) : "";
                    var inputs = OnnxNode.Inputs(inner);
                    string? Constant(int i) => i < inputs.Count && !defined.Contains(inputs[i]) && ConstantWeight(inputs[i]).Tensor is { Dims.Length: >= 2 } ? inputs[i] : null;
                    var reason = op switch
                    {
                        "Conv" => WeightOnly(inner, "Conv (in sub-graphs)", [1], axis: 0, nodes, defined),
                        "ConvTranspose" => WeightOnly(inner, "ConvTranspose (in sub-graphs)", [1], axis: 1, nodes, defined),
                        "LSTM" or "GRU" or "RNN" => WeightOnly(inner, $"{op} (in sub-graphs)", [1, 2], axis: 1, nodes, defined),
                        "MatMul" when Constant(1) is { } right => WeightOnly(inner, "MatMul (in sub-graphs)", [1], axis: ConstantWeight(right).Tensor!.Dims.Length - 1, nodes, defined),
                        "MatMul" when Constant(0) is { } left => WeightOnly(inner, "MatMul (in sub-graphs)", [0], axis: ConstantWeight(left).Tensor!.Dims.Length - 2, nodes, defined),
                        "MatMul" => "no operand is a main-graph constant of rank 2 or more",
                        "Gemm" => WeightOnly(inner, "Gemm (in sub-graphs)", [1], axis: OnnxNode.IntAttribute(inner, "transB", 0) != 0 ? 0 : 1, nodes, defined),
                        _ => null,
                    };
                    if (reason is { Length: > 0 }) leftFloat.Add($"{Describe(inner)} in a sub-graph of {Describe(node)}: {reason}");
                    foreach (var attribute in inner.Messages(OnnxFields.NodeAttribute))
                        foreach (var sub in attribute.Messages(OnnxFields.AttributeG).Concat(attribute.Messages(OnnxFields.AttributeGraphs))) Visit(sub, defined);
                }
            }
            foreach (var attribute in node.Messages(OnnxFields.NodeAttribute))
                foreach (var sub in attribute.Messages(OnnxFields.AttributeG).Concat(attribute.Messages(OnnxFields.AttributeGraphs)))
                    Visit(sub, new HashSet<string>(StringComparer.Ordinal));
            return "";
        }
    }
}
