using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>Several inputs and outputs of different datatypes and ranks, computed element-wise so they are easy to check.</summary>
internal static class MultiIoModel
{
    public const string Name = "multi-io";
    public const string Description =
        "Several inputs and outputs: a FP32 [batch,3], b FP32 [batch,3], count INT32 [batch,1] -> sum = a+b FP32 [batch,3], " +
        "product = a*b FP32 [batch,3], greater = a>b BOOL [batch,3], next_count = count+1 INT32 [batch,1], row_total = sum of a+b FP64 [batch].";

    public const int Width = 3;

    public static byte[] Build()
    {
        var batch = TensorDim.Dynamic("batch");
        var graph = new OnnxGraphBuilder("multi_io")
            .Input("a", OnnxElementType.Float, batch, Width)
            .Input("b", OnnxElementType.Float, batch, Width)
            .Input("count", OnnxElementType.Int32, batch, 1)
            .Output("sum", OnnxElementType.Float, batch, Width)
            .Output("product", OnnxElementType.Float, batch, Width)
            .Output("greater", OnnxElementType.Bool, batch, Width)
            .Output("next_count", OnnxElementType.Int32, batch, 1)
            .Output("row_total", OnnxElementType.Double, batch);

        var one = graph.Initializer("one", new[] { 1 }, 1);
        var axes = graph.Initializer("axes", new long[] { 1 }, 1);
        var sum = graph.Node("Add", ["a", "b"], "sum");
        graph.Node("Mul", ["a", "b"], "product");
        graph.Node("Greater", ["a", "b"], "greater");
        graph.Node("Add", ["count", one], "next_count");
        var rowTotal = graph.Node("ReduceSum", [sum, axes], "row_total_float", OnnxAttribute.Int("keepdims", 0));
        graph.Node("Cast", [rowTotal], "row_total", OnnxAttribute.Int("to", (long)OnnxElementType.Double));
        return graph.ToModelBytes(Description);
    }
}
