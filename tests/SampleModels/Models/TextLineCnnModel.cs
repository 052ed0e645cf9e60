using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>
/// An OCR-shaped classifier over a colour text-line crop, 1×3×48×192 as text recognisers take them: 27,648 floats
/// per image, so a JSON request is about a third of a megabyte. Conv-ReLU-MaxPool ×2, GlobalAveragePool, Dense, Softmax;
/// light enough (about 4.6 M multiply-adds) that parsing the request, not the model, decides how fast JSON is served.
/// </summary>
internal static class TextLineCnnModel
{
    public const string Name = "text-line-cnn";
    public const string Description =
        "OCR-shaped classifier: input FP32 [batch,3,48,192] (27,648 floats) -> Conv-ReLU-MaxPool x2, GlobalAveragePool, Dense 37, Softmax -> probabilities FP32 [batch,37].";

    public const int Channels = 3, Height = 48, Width = 192, Classes = 37;
    public const int Channels1 = 8, Channels2 = 16;

    public static byte[] Build()
    {
        var random = new DeterministicRandom(seed: 3_48_192);
        var conv1 = ConvLayer.Random(random, Channels1, Channels, 3, padding: 1);
        var conv2 = ConvLayer.Random(random, Channels2, Channels1, 3, padding: 1);
        var dense = DenseLayer.Random(random, Channels2, Classes, scale: 0.5f);
        var graph = new OnnxGraphBuilder("text_line_cnn")
            .Input("image", OnnxElementType.Float, TensorDim.Dynamic("batch"), Channels, Height, Width)
            .Output("probabilities", OnnxElementType.Float, TensorDim.Dynamic("batch"), Classes);

        var x = graph.MaxPool2x2(graph.Relu(graph.Conv("conv1", "image", conv1)));
        x = graph.MaxPool2x2(graph.Relu(graph.Conv("conv2", x, conv2)));
        x = graph.Node("GlobalAveragePool", [x], "pooled");
        x = graph.Node("Flatten", [x], "flatten", OnnxAttribute.Int("axis", 1));
        x = graph.Dense("logits", x, dense);
        graph.Node("Softmax", [x], "probabilities", OnnxAttribute.Int("axis", 1));
        return graph.ToModelBytes(Description);
    }
}
