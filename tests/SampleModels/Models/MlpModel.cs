using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>
/// A tiny two-layer perceptron (16 → 32 → 4, about 600 multiply-adds per row): so cheap that serving cost is all
/// per-request overhead, which is what dynamic batching amortises.
/// </summary>
internal static class MlpModel
{
    public const string Name = "mlp";
    public const string Description =
        "Tiny MLP with a dynamic batch dim: features FP32 [batch,16] -> Dense 32 + ReLU -> Dense 4 -> scores FP32 [batch,4].";

    public const int Features = 16, Hidden = 32, Scores = 4;

    public static MlpParameters Parameters()
    {
        var random = new DeterministicRandom(seed: 16_32_4);
        return new MlpParameters(DenseLayer.Random(random, Features, Hidden), DenseLayer.Random(random, Hidden, Scores));
    }

    public static byte[] Build()
    {
        var p = Parameters();
        var graph = new OnnxGraphBuilder("mlp")
            .Input("features", OnnxElementType.Float, TensorDim.Dynamic("batch"), Features)
            .Output("scores", OnnxElementType.Float, TensorDim.Dynamic("batch"), Scores);
        var hidden = graph.Relu(graph.Dense("hidden", "features", p.Hidden));
        graph.Dense("scores", hidden, p.Output);
        return graph.ToModelBytes(Description);
    }
}
