using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>Adds the nodes and weights of one neural-network layer to a graph.</summary>
internal static class LayerNodes
{
    public static string Dense(this OnnxGraphBuilder graph, string name, string input, DenseLayer layer)
    {
        var weights = graph.Initializer($"{name}.weight", layer.Weights, layer.Inputs, layer.Outputs);
        var bias = graph.Initializer($"{name}.bias", layer.Bias, layer.Outputs);
        return graph.Node("Gemm", [input, weights, bias], name);
    }

    public static string Conv(this OnnxGraphBuilder graph, string name, string input, ConvLayer layer)
    {
        var weights = graph.Initializer($"{name}.weight", layer.Weights, layer.OutChannels, layer.InChannels, layer.Kernel, layer.Kernel);
        var bias = graph.Initializer($"{name}.bias", layer.Bias, layer.OutChannels);
        return graph.Node("Conv", [input, weights, bias], name, OnnxAttribute.Ints("kernel_shape", layer.Kernel, layer.Kernel));
    }

    public static string Relu(this OnnxGraphBuilder graph, string input) => graph.Node("Relu", [input], $"{input}.relu");

    public static string MaxPool2x2(this OnnxGraphBuilder graph, string input) =>
        graph.Node("MaxPool", [input], $"{input}.pool", OnnxAttribute.Ints("kernel_shape", 2, 2), OnnxAttribute.Ints("strides", 2, 2));
}
