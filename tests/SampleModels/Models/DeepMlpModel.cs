using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>
/// A deep, narrow perceptron: 192 layers of 16 → 16 (MatMul, Add, ReLU as separate nodes), then 16 → 4. Tiny in weights
/// and multiply-adds, but about 580 operators per run, so one run has a large fixed cost (per-operator dispatch, on a
/// GPU kernel launches) that hardly grows with the rows: the case dynamic batching exists for.
/// </summary>
internal static class DeepMlpModel
{
    public const string Name = "deep-mlp";
    public const string Description =
        "Deep narrow MLP with a dynamic batch dim: features FP32 [batch,16] -> 192 x (MatMul 16x16, Add, ReLU) -> MatMul 16x4, Add -> scores FP32 [batch,4].";

    public const int Features = 16, Width = 16, Depth = 192, Scores = 4;

    public static DeepMlpParameters Parameters()
    {
        var random = new DeterministicRandom(seed: 192_16_4);
        // sqrt(2) on top of the uniform Glorot limit keeps activations at the same scale through ReLU, layer after
        // layer, so the scores neither vanish nor blow up after 192 layers.
        var hidden = Enumerable.Range(0, Depth)
            .Select(i => DenseLayer.Random(random, i == 0 ? Features : Width, Width, MathF.Sqrt(2f)))
            .ToList();
        return new DeepMlpParameters(hidden, DenseLayer.Random(random, Width, Scores));
    }

    public static byte[] Build()
    {
        var p = Parameters();
        var graph = new OnnxGraphBuilder("deep_mlp")
            .Input("features", OnnxElementType.Float, TensorDim.Dynamic("batch"), Features)
            .Output("scores", OnnxElementType.Float, TensorDim.Dynamic("batch"), Scores);
        var h = "features";
        for (var i = 0; i < p.Hidden.Count; i++) h = graph.Relu(MatMulAdd(graph, $"layer{i}", h, p.Hidden[i]));
        MatMulAdd(graph, "scores", h, p.Output);
        return graph.ToModelBytes(Description);
    }

    // MatMul and Add rather than one Gemm, as exporters commonly emit them; ONNX Runtime may fuse them, which is fine.
    private static string MatMulAdd(OnnxGraphBuilder graph, string name, string input, DenseLayer layer)
    {
        var weights = graph.Initializer($"{name}.weight", layer.Weights, layer.Inputs, layer.Outputs);
        var bias = graph.Initializer($"{name}.bias", layer.Bias, layer.Outputs);
        var product = graph.Node("MatMul", [input, weights], $"{name}.matmul");
        return graph.Node("Add", [product, bias], name);
    }
}
