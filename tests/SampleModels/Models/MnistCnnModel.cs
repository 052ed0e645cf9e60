using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>
/// The classic Keras MNIST CNN (Conv-ReLU-MaxPool ×2, Conv-ReLU, Flatten, Dense 64 + ReLU, Dense 10, Softmax),
/// about 2.8 M multiply-adds per image: a compute-bound classifier of well under a millisecond per image on one core.
/// </summary>
internal static class MnistCnnModel
{
    public const string Name = "mnist-cnn";
    public const string Description =
        "MNIST-shaped CNN: input FP32 [batch,1,28,28] -> Conv-ReLU-MaxPool x2, Conv-ReLU, Flatten, Dense 64 + ReLU, Dense 10, Softmax -> probabilities FP32 [batch,10].";

    public const int ImageSize = 28, Classes = 10;

    public static MnistCnnParameters Parameters()
    {
        var random = new DeterministicRandom(seed: 28_28_10);
        return new MnistCnnParameters(
            ConvLayer.Random(random, 32, 1, 3),
            ConvLayer.Random(random, 64, 32, 3),
            ConvLayer.Random(random, 64, 64, 3),
            DenseLayer.Random(random, 64 * 3 * 3, 64),
            // A smaller last layer keeps the logits moderate, so softmax outputs stay informative rather than one-hot.
            DenseLayer.Random(random, 64, Classes, scale: 0.5f));
    }

    public static byte[] Build()
    {
        var p = Parameters();
        var graph = new OnnxGraphBuilder("mnist_cnn")
            .Input("input", OnnxElementType.Float, TensorDim.Dynamic("batch"), 1, ImageSize, ImageSize)
            .Output("probabilities", OnnxElementType.Float, TensorDim.Dynamic("batch"), Classes);

        var x = graph.MaxPool2x2(graph.Relu(graph.Conv("conv1", "input", p.Conv1)));
        x = graph.MaxPool2x2(graph.Relu(graph.Conv("conv2", x, p.Conv2)));
        x = graph.Relu(graph.Conv("conv3", x, p.Conv3));
        x = graph.Node("Flatten", [x], "flatten", OnnxAttribute.Int("axis", 1));
        x = graph.Relu(graph.Dense("dense1", x, p.Dense1));
        x = graph.Dense("logits", x, p.Dense2);
        graph.Node("Softmax", [x], "probabilities", OnnxAttribute.Int("axis", 1));
        return graph.ToModelBytes(Description);
    }
}
