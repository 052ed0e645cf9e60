using Microsoft.ML.OnnxRuntime.Tensors;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class MnistCnnModelTests
{
    private const int Pixels = 28 * 28;

    [Fact]
    public void Declares_DynamicBatchImageInput_AndTenProbabilities()
    {
        using var session = new OrtSession(SampleModelCatalog.MnistCnn());

        Assert.Equal(["input"], session.Inputs.Keys);
        Assert.Equal(["probabilities"], session.Outputs.Keys);
        OrtSession.AssertTensor(session.Inputs, "input", TensorElementType.Float, -1, 1, 28, 28);
        OrtSession.AssertTensor(session.Outputs, "probabilities", TensorElementType.Float, -1, 10);
        Assert.Equal("batch", session.Inputs["input"].SymbolicDimensions[0]);
    }

    [Fact]
    public void Probabilities_MatchAPlainLoopForwardPass_ForEveryImageOfABatch()
    {
        using var session = new OrtSession(SampleModelCatalog.MnistCnn());
        var images = new[] { ReferenceMath.Pattern(Pixels, 1, 0, 1), ReferenceMath.Pattern(Pixels, 2, 0, 1), ReferenceMath.Pattern(Pixels, 3, 0, 1) };

        using var results = session.Run(("input", OrtSession.Tensor(images.SelectMany(i => i).ToArray(), 3, 1, 28, 28)));

        Assert.Equal([3L, 10L], results.Shape("probabilities"));
        var probabilities = results.Values<float>("probabilities");
        var parameters = SampleModelCatalog.MnistCnnParameters();
        for (var row = 0; row < images.Length; row++)
        {
            var expected = Forward(images[row], parameters);
            var actual = probabilities.AsSpan(row * 10, 10).ToArray();
            for (var c = 0; c < 10; c++) Assert.Equal(expected[c], actual[c], 1e-4f);
        }
    }

    [Fact]
    public void Probabilities_SumToOne_AndAreNotSaturated()
    {
        using var session = new OrtSession(SampleModelCatalog.MnistCnn());
        const int batch = 4;
        var input = Enumerable.Range(0, batch).SelectMany(i => ReferenceMath.Pattern(Pixels, 10 + i, 0, 1)).ToArray();

        using var results = session.Run(("input", OrtSession.Tensor(input, batch, 1, 28, 28)));

        var probabilities = results.Values<float>("probabilities");
        for (var row = 0; row < batch; row++)
        {
            var p = probabilities.AsSpan(row * 10, 10).ToArray();
            Assert.Equal(1f, p.Sum(), 1e-4f);
            Assert.All(p, v => Assert.InRange(v, 1e-6f, 0.999f));
        }
    }

    [Fact]
    public void ABatchOfOne_GivesTheSameRowAsInsideALargerBatch()
    {
        using var session = new OrtSession(SampleModelCatalog.MnistCnn());
        var first = ReferenceMath.Pattern(Pixels, 21, 0, 1);
        var second = ReferenceMath.Pattern(Pixels, 22, 0, 1);

        using var alone = session.Run(("input", OrtSession.Tensor(second, 1, 1, 28, 28)));
        using var batched = session.Run(("input", OrtSession.Tensor(first.Concat(second).ToArray(), 2, 1, 28, 28)));

        var expected = alone.Values<float>("probabilities");
        var actual = batched.Values<float>("probabilities").AsSpan(10, 10).ToArray();
        for (var c = 0; c < 10; c++) Assert.Equal(expected[c], actual[c], 1e-5f);
    }

    private static float[] Forward(float[] image, MnistCnnParameters p)
    {
        var x = ReferenceMath.MaxPool2x2(ReferenceMath.Relu(ReferenceMath.Conv(image, 28, 28, p.Conv1)), 32, 26, 26);
        x = ReferenceMath.MaxPool2x2(ReferenceMath.Relu(ReferenceMath.Conv(x, 13, 13, p.Conv2)), 64, 11, 11);
        x = ReferenceMath.Relu(ReferenceMath.Conv(x, 5, 5, p.Conv3));
        x = ReferenceMath.Relu(ReferenceMath.Dense(x, p.Dense1));
        return ReferenceMath.Softmax(ReferenceMath.Dense(x, p.Dense2));
    }
}
