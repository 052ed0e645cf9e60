using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>
/// Integer arithmetic on int64 inputs. The per-position offsets are multiples of 10^12, beyond int32 and beyond
/// float precision, so a runtime that narrows int64 anywhere on the way gives visibly wrong answers.
/// </summary>
internal static class Int64Model
{
    public const string Name = "int64-ops";
    public const string Description =
        "Int64 arithmetic: ids INT64 [batch,8] -> shifted INT64 [batch,8] (ids + (i+1)*10^12), sum INT64 [batch,1], mean FP32 [batch,1].";

    public const int Width = 8;
    public const long OffsetStep = 1_000_000_000_000;

    /// <summary>The value added to column <c>i</c> of <c>ids</c> to give <c>shifted</c>.</summary>
    public static long[] Offsets() => Enumerable.Range(1, Width).Select(i => i * OffsetStep).ToArray();

    public static byte[] Build()
    {
        var batch = TensorDim.Dynamic("batch");
        var graph = new OnnxGraphBuilder("int64_ops")
            .Input("ids", OnnxElementType.Int64, batch, Width)
            .Output("shifted", OnnxElementType.Int64, batch, Width)
            .Output("sum", OnnxElementType.Int64, batch, 1)
            .Output("mean", OnnxElementType.Float, batch, 1);

        var offsets = graph.Initializer("offsets", Offsets(), Width);
        var axes = graph.Initializer("axes", new long[] { 1 }, 1);
        var width = graph.Initializer("width", new float[] { Width }, 1);
        graph.Node("Add", ["ids", offsets], "shifted");
        var sum = graph.Node("ReduceSum", ["ids", axes], "sum", OnnxAttribute.Int("keepdims", 1));
        var sumAsFloat = graph.Node("Cast", [sum], "sum_float", OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        graph.Node("Div", [sumAsFloat, width], "mean");
        return graph.ToModelBytes(Description);
    }
}
