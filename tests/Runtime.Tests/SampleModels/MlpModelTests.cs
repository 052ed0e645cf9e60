using Microsoft.ML.OnnxRuntime.Tensors;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class MlpModelTests
{
    [Fact]
    public void Declares_DynamicBatchFeatures_AndScores()
    {
        using var session = new OrtSession(SampleModelCatalog.Mlp());

        Assert.Equal(["features"], session.Inputs.Keys);
        Assert.Equal(["scores"], session.Outputs.Keys);
        OrtSession.AssertTensor(session.Inputs, "features", TensorElementType.Float, -1, 16);
        OrtSession.AssertTensor(session.Outputs, "scores", TensorElementType.Float, -1, 4);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(64)]
    public void Scores_MatchAPlainMatrixMultiply(int batch)
    {
        using var session = new OrtSession(SampleModelCatalog.Mlp());
        var features = ReferenceMath.Pattern(batch * 16, seed: batch, low: -2, high: 2);

        using var results = session.Run(("features", OrtSession.Tensor(features, batch, 16)));

        Assert.Equal([batch, 4L], results.Shape("scores"));
        var scores = results.Values<float>("scores");
        var parameters = SampleModelCatalog.MlpParameters();
        for (var row = 0; row < batch; row++)
        {
            var hidden = ReferenceMath.Relu(ReferenceMath.Dense(features.AsSpan(row * 16, 16), parameters.Hidden));
            var expected = ReferenceMath.Dense(hidden, parameters.Output);
            for (var s = 0; s < 4; s++) Assert.Equal(expected[s], scores[row * 4 + s], 1e-5f);
        }
    }

    [Fact]
    public void Scores_DependOnTheInput()
    {
        using var session = new OrtSession(SampleModelCatalog.Mlp());

        using var results = session.Run(("features", OrtSession.Tensor(ReferenceMath.Pattern(32, seed: 7), 2, 16)));

        var scores = results.Values<float>("scores");
        Assert.NotEqual(scores[..4], scores[4..]);
    }
}
