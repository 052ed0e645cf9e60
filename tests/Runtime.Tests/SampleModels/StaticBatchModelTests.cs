using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class StaticBatchModelTests
{
    [Fact]
    public void Declares_AFixedBatchOfOne()
    {
        using var session = new OrtSession(SampleModelCatalog.StaticBatch());

        OrtSession.AssertTensor(session.Inputs, "x", TensorElementType.Float, 1, 4);
        OrtSession.AssertTensor(session.Outputs, "y", TensorElementType.Float, 1, 4);
        Assert.All(session.Inputs["x"].SymbolicDimensions, symbol => Assert.Equal("", symbol));
    }

    [Fact]
    public void Output_IsTwiceTheInputPlusOne()
    {
        using var session = new OrtSession(SampleModelCatalog.StaticBatch());
        float[] x = [0, 1, -2.5f, 100];

        using var results = session.Run(("x", OrtSession.Tensor(x, 1, 4)));

        Assert.Equal(x.Select(v => 2 * v + 1).ToArray(), results.Values<float>("y"));
    }

    [Fact]
    public void ABatchOfTwo_IsRejectedByOnnxRuntime()
    {
        using var session = new OrtSession(SampleModelCatalog.StaticBatch());

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(("x", OrtSession.Tensor(new float[8], 2, 4))));

        Assert.Contains("dimension", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
