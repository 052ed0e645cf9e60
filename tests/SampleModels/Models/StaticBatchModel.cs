using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>A model whose batch dimension is fixed at 1, so a runtime must run its requests one at a time, never batched.</summary>
internal static class StaticBatchModel
{
    public const string Name = "static-batch";
    public const string Description = "Fixed shape, not batchable: x FP32 [1,4] -> y = 2x + 1 FP32 [1,4].";

    public const int Width = 4;

    public static byte[] Build()
    {
        var graph = new OnnxGraphBuilder("static_batch")
            .Input("x", OnnxElementType.Float, 1, Width)
            .Output("y", OnnxElementType.Float, 1, Width);
        var two = graph.Initializer("two", new[] { 2f }, 1);
        var one = graph.Initializer("one", new[] { 1f }, 1);
        graph.Node("Add", [graph.Node("Mul", ["x", two], "doubled"), one], "y");
        return graph.ToModelBytes(Description);
    }
}
