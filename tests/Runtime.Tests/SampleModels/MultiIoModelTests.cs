using Microsoft.ML.OnnxRuntime.Tensors;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class MultiIoModelTests
{
    [Fact]
    public void Declares_ThreeInputsAndFiveOutputs_OfDifferentTypesAndRanks()
    {
        using var session = new OrtSession(SampleModelCatalog.MultiIo());

        Assert.Equal(["a", "b", "count"], session.Inputs.Keys);
        Assert.Equal(["sum", "product", "greater", "next_count", "row_total"], session.Outputs.Keys);
        OrtSession.AssertTensor(session.Inputs, "a", TensorElementType.Float, -1, 3);
        OrtSession.AssertTensor(session.Inputs, "b", TensorElementType.Float, -1, 3);
        OrtSession.AssertTensor(session.Inputs, "count", TensorElementType.Int32, -1, 1);
        OrtSession.AssertTensor(session.Outputs, "sum", TensorElementType.Float, -1, 3);
        OrtSession.AssertTensor(session.Outputs, "product", TensorElementType.Float, -1, 3);
        OrtSession.AssertTensor(session.Outputs, "greater", TensorElementType.Bool, -1, 3);
        OrtSession.AssertTensor(session.Outputs, "next_count", TensorElementType.Int32, -1, 1);
        OrtSession.AssertTensor(session.Outputs, "row_total", TensorElementType.Double, -1);
    }

    [Fact]
    public void Outputs_AreTheElementWiseResults()
    {
        using var session = new OrtSession(SampleModelCatalog.MultiIo());
        float[] a = [1, 2, 3, -4, 0.5f, 6];
        float[] b = [3, 2, 1, -5, 0.25f, 10];
        int[] count = [41, int.MaxValue - 1];

        using var results = session.Run(
            ("a", OrtSession.Tensor(a, 2, 3)), ("b", OrtSession.Tensor(b, 2, 3)), ("count", OrtSession.Tensor(count, 2, 1)));

        var sums = a.Zip(b, (x, y) => x + y).ToArray();
        Assert.Equal(sums, results.Values<float>("sum"));
        Assert.Equal(a.Zip(b, (x, y) => x * y).ToArray(), results.Values<float>("product"));
        Assert.Equal(a.Zip(b, (x, y) => x > y).ToArray(), results.Values<bool>("greater"));
        Assert.Equal([42, int.MaxValue], results.Values<int>("next_count"));
        Assert.Equal([2L], results.Shape("row_total"));
        Assert.Equal([(double)sums[..3].Sum(), sums[3..].Sum()], results.Values<double>("row_total"));
    }
}
