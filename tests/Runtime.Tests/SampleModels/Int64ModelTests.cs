using Microsoft.ML.OnnxRuntime.Tensors;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class Int64ModelTests
{
    [Fact]
    public void Declares_Int64Ids_AndInt64AndFloatOutputs()
    {
        using var session = new OrtSession(SampleModelCatalog.Int64Model());

        Assert.Equal(["ids"], session.Inputs.Keys);
        Assert.Equal(["shifted", "sum", "mean"], session.Outputs.Keys);
        OrtSession.AssertTensor(session.Inputs, "ids", TensorElementType.Int64, -1, 8);
        OrtSession.AssertTensor(session.Outputs, "shifted", TensorElementType.Int64, -1, 8);
        OrtSession.AssertTensor(session.Outputs, "sum", TensorElementType.Int64, -1, 1);
        OrtSession.AssertTensor(session.Outputs, "mean", TensorElementType.Float, -1, 1);
    }

    [Fact]
    public void Outputs_AreExactInt64Arithmetic_BeyondInt32AndFloatPrecision()
    {
        using var session = new OrtSession(SampleModelCatalog.Int64Model());
        long[] ids =
        [
            1, 2, 3, 4, 5, 6, 7, 8,
            -5_000_000_000, 123_456_789_012, 0, -1, 1L << 40, 42, 3, -7,
        ];

        using var results = session.Run(("ids", OrtSession.Tensor(ids, 2, 8)));

        var offsets = SampleModelCatalog.Int64Offsets();
        Assert.Equal(ids.Select((id, i) => id + offsets[i % 8]).ToArray(), results.Values<long>("shifted"));
        long[] sums = [ids[..8].Sum(), ids[8..].Sum()];
        Assert.Equal(sums, results.Values<long>("sum"));
        Assert.Equal([2L, 1L], results.Shape("mean"));
        var means = results.Values<float>("mean");
        Assert.Equal(4.5f, means[0]);
        Assert.Equal((float)sums[1] / 8f, means[1], (float)Math.Abs(sums[1] / 8.0) * 1e-6f);
    }
}
