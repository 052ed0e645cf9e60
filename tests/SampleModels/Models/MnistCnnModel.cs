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

    // Channel widths sized so one image costs ~0.5 ms on one CPU core: a compute-bound model for benchmarks.
    public const int Channels1 = 64, Channels2 = 128, Channels3 = 256, Hidden = 64;

    /// <summary>The seed of the original weights; <see cref="MnistCnnVariants"/> builds other versions from other seeds.</summary>
    public const ulong Seed = 28_28_10;

    public static MnistCnnParameters Parameters() => Parameters(Seed);

    public static MnistCnnParameters Parameters(ulong seed)
    {
        var random = new DeterministicRandom(seed);
        // "Same" padding: 28×28 → pool → 14×14 → pool → 7×7.
        return new MnistCnnParameters(
            ConvLayer.Random(random, Channels1, 1, 3, padding: 1),
            ConvLayer.Random(random, Channels2, Channels1, 3, padding: 1),
            ConvLayer.Random(random, Channels3, Channels2, 3, padding: 1),
            DenseLayer.Random(random, Channels3 * 7 * 7, Hidden),
            // A smaller last layer keeps the logits moderate, so softmax outputs stay informative rather than one-hot.
            DenseLayer.Random(random, Hidden, Classes, scale: 0.5f));
    }

    public static byte[] Build() => Build(Parameters(), extraConvs: [], Description);

    /// <summary>
    /// The CNN with <paramref name="p"/>'s weights and, after conv3, <paramref name="extraConvs"/> (each 256 → 256
    /// channels at 7×7, followed by ReLU): the same inputs and outputs whatever the extras.
    /// </summary>
    public static byte[] Build(MnistCnnParameters p, IReadOnlyList<ConvLayer> extraConvs, string description)
    {
        var graph = new OnnxGraphBuilder("mnist_cnn")
            .Input("input", OnnxElementType.Float, TensorDim.Dynamic("batch"), 1, ImageSize, ImageSize)
            .Output("probabilities", OnnxElementType.Float, TensorDim.Dynamic("batch"), Classes);

        var x = graph.MaxPool2x2(graph.Relu(graph.Conv("conv1", "input", p.Conv1)));
        x = graph.MaxPool2x2(graph.Relu(graph.Conv("conv2", x, p.Conv2)));
        x = graph.Relu(graph.Conv("conv3", x, p.Conv3));
        for (var i = 0; i < extraConvs.Count; i++) x = graph.Relu(graph.Conv($"conv3_extra{i + 1}", x, extraConvs[i]));
        x = graph.Node("Flatten", [x], "flatten", OnnxAttribute.Int("axis", 1));
        x = graph.Relu(graph.Dense("dense1", x, p.Dense1));
        x = graph.Dense("logits", x, p.Dense2);
        graph.Node("Softmax", [x], "probabilities", OnnxAttribute.Int("axis", 1));
        return graph.ToModelBytes(description);
    }
}
