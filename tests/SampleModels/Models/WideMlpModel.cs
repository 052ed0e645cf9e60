using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>
/// A wide, MatMul-heavy classifier (512 → 1024 → 1024 → 10, about 1.6 M multiply-adds per row, 6 MB of weights):
/// the model where int8 quantisation of MatMul/Gemm weights should pay off in size and CPU throughput.
/// </summary>
internal static class WideMlpModel
{
    public const string Name = "wide-mlp";
    public const string Description =
        "MatMul-heavy classifier: features FP32 [batch,512] -> Dense 1024 + ReLU -> Dense 1024 + ReLU -> Dense 10 -> Softmax -> probabilities FP32 [batch,10].";

    public const int Features = 512, Hidden = 1024, Classes = 10;

    public static byte[] Build()
    {
        var random = new DeterministicRandom(seed: 512_1024_10);
        var graph = new OnnxGraphBuilder("wide_mlp")
            .Input("features", OnnxElementType.Float, TensorDim.Dynamic("batch"), Features)
            .Output("probabilities", OnnxElementType.Float, TensorDim.Dynamic("batch"), Classes);
        var x = graph.Relu(graph.Dense("dense1", "features", DenseLayer.Random(random, Features, Hidden)));
        x = graph.Relu(graph.Dense("dense2", x, DenseLayer.Random(random, Hidden, Hidden)));
        x = graph.Dense("logits", x, DenseLayer.Random(random, Hidden, Classes));
        graph.Node("Softmax", [x], "probabilities", OnnxAttribute.Int("axis", 1));
        return graph.ToModelBytes(Description);
    }
}
