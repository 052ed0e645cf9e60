using Microsoft.ML.OnnxRuntime.Tensors;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class DeepMlpModelTests
{
    [Fact]
    public void Declares_DynamicBatchFeatures_AndScores()
    {
        using var session = new OrtSession(SampleModelCatalog.DeepMlp());

        Assert.Equal(["features"], session.Inputs.Keys);
        Assert.Equal(["scores"], session.Outputs.Keys);
        OrtSession.AssertTensor(session.Inputs, "features", TensorElementType.Float, -1, 16);
        OrtSession.AssertTensor(session.Outputs, "scores", TensorElementType.Float, -1, 4);
    }

    [Fact]
    public void Parameters_Are192HiddenLayersOf16_ThenAnOutputOf4()
    {
        var parameters = SampleModelCatalog.DeepMlpParameters();

        Assert.Equal(192, parameters.Hidden.Count);
        Assert.All(parameters.Hidden, l => Assert.Equal((16, 16), (l.Inputs, l.Outputs)));
        Assert.Equal((16, 4), (parameters.Output.Inputs, parameters.Output.Outputs));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(32)]
    public void Scores_MatchAPlainLayerByLayerForwardPass(int batch)
    {
        using var session = new OrtSession(SampleModelCatalog.DeepMlp());
        var features = ReferenceMath.Pattern(batch * 16, seed: batch, low: -2, high: 2);

        using var results = session.Run(("features", OrtSession.Tensor(features, batch, 16)));

        Assert.Equal([batch, 4L], results.Shape("scores"));
        var scores = results.Values<float>("scores");
        for (var row = 0; row < batch; row++)
        {
            var expected = Forward(features.AsSpan(row * 16, 16));
            // 192 layers of float sums in a different order than ONNX Runtime's: compare relative to the row's scale.
            var tolerance = 1e-4f * Math.Max(1f, expected.Max(MathF.Abs));
            for (var s = 0; s < 4; s++) Assert.Equal(expected[s], scores[row * 4 + s], tolerance);
        }
    }

    [Fact]
    public void Scores_NeitherVanishNorBlowUp_After192Layers_AndDependOnTheInput()
    {
        using var session = new OrtSession(SampleModelCatalog.DeepMlp());

        using var results = session.Run(("features", OrtSession.Tensor(ReferenceMath.Pattern(3 * 16, seed: 7, low: -2, high: 2), 3, 16)));

        var scores = results.Values<float>("scores");
        Assert.All(scores, s => Assert.True(float.IsFinite(s) && MathF.Abs(s) < 1e3f, $"score {s} is not a moderate finite number"));
        Assert.True(scores.Max(MathF.Abs) > 1e-2f, $"scores [{string.Join(", ", scores)}] have all but vanished");
        Assert.NotEqual(scores[..4], scores[4..8]);
        Assert.NotEqual(scores[4..8], scores[8..]);
    }

    [Fact]
    public void ARow_GetsTheSameScores_AloneAndInsideABatch()
    {
        using var session = new OrtSession(SampleModelCatalog.DeepMlp());
        var features = ReferenceMath.Pattern(32 * 16, seed: 11, low: -2, high: 2);

        using var batched = session.Run(("features", OrtSession.Tensor(features, 32, 16)));
        using var alone = session.Run(("features", OrtSession.Tensor(features[(7 * 16)..(8 * 16)], 1, 16)));

        var expected = batched.Values<float>("scores")[(7 * 4)..(8 * 4)];
        var actual = alone.Values<float>("scores");
        for (var s = 0; s < 4; s++) Assert.Equal(expected[s], actual[s], 1e-4f * Math.Max(1f, MathF.Abs(expected[s])));
    }

    private static float[] Forward(ReadOnlySpan<float> features)
    {
        var parameters = SampleModelCatalog.DeepMlpParameters();
        var h = features.ToArray();
        foreach (var layer in parameters.Hidden) h = ReferenceMath.Relu(ReferenceMath.Dense(h, layer));
        return ReferenceMath.Dense(h, parameters.Output);
    }
}
