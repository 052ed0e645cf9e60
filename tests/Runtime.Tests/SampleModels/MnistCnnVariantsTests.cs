using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using ModelOperator.SampleModels;
using Xunit;
using Xunit.Abstractions;

namespace ModelOperator.Runtime.Tests.SampleModels;

/// <summary>
/// The rollout's model versions: a second good version and a slower twin must keep mnist-cnn's signature exactly,
/// or a rollout would refuse them for the wrong reason.
/// </summary>
public sealed class MnistCnnVariantsTests(ITestOutputHelper output)
{
    private const int Pixels = 28 * 28;

    public static TheoryData<string> Variants() => new("mnist-cnn-v2", "mnist-cnn-slow", "mnist-cnn-wrong", "mnist-cnn-v2-wrong");

    [Theory]
    [MemberData(nameof(Variants))]
    public void Variant_HasExactlyTheOriginalsSignature(string name)
    {
        using var original = new OrtSession(SampleModelCatalog.MnistCnn());
        using var variant = new OrtSession(SampleModelCatalog.Get(name).Build());

        Assert.Equal(Signature(original.Inputs), Signature(variant.Inputs));
        Assert.Equal(Signature(original.Outputs), Signature(variant.Outputs));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Variant_ComputesOtherProbabilities_ThatStillSumToOne(string name)
    {
        var image = ReferenceMath.Pattern(Pixels, 3, 0, 1);
        var original = Probabilities(SampleModelCatalog.MnistCnn(), image);
        var variant = Probabilities(SampleModelCatalog.Get(name).Build(), image);

        Assert.Equal(1f, variant.Sum(), 1e-4f);
        Assert.NotEqual(original, variant); // a different version, not a copy
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(11)]
    public void WrongVersion_PutsEveryInputsTopOneOnTheNextClass(int pattern)
    {
        // The shadow rollout's wrong-answers version must disagree with mnist-cnn on every request, whatever the image.
        var image = ReferenceMath.Pattern(Pixels, pattern, 0, 1);
        var original = Probabilities(SampleModelCatalog.MnistCnn(), image);
        var wrong = Probabilities(SampleModelCatalog.MnistCnnWrong(), image);

        Assert.Equal((Array.IndexOf(original, original.Max()) + 1) % 10, Array.IndexOf(wrong, wrong.Max()));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(11)]
    public void V2WrongVersion_PutsEveryInputsTopOneOnTheNextClassOfVersion2s(int pattern)
    {
        // The demo's shadow act rolls it out beside a stable mnist-cnn-v2, where it must disagree on every request.
        var image = ReferenceMath.Pattern(Pixels, pattern, 0, 1);
        var v2 = Probabilities(SampleModelCatalog.MnistCnnV2(), image);
        var wrong = Probabilities(SampleModelCatalog.MnistCnnV2Wrong(), image);

        Assert.Equal((Array.IndexOf(v2, v2.Max()) + 1) % 10, Array.IndexOf(wrong, wrong.Max()));
    }

    [Fact]
    public void SlowTwin_TakesMeasurablyLonger_PerImage()
    {
        // Medians of many single-image runs; no wall-clock bound, only which of the two is slower, by what factor it
        // is reported. The twin runs several times the original's multiply-adds, so the order is robust even on a
        // loaded machine.
        var image = ReferenceMath.Pattern(Pixels, 5, 0, 1);
        var original = MedianRunMs(SampleModelCatalog.MnistCnn(), image);
        var slow = MedianRunMs(SampleModelCatalog.MnistCnnSlow(), image);
        output.WriteLine($"median per image: mnist-cnn {original:0.000} ms, mnist-cnn-slow {slow:0.000} ms ({slow / original:0.0}x)");

        Assert.True(slow > original, $"Expected mnist-cnn-slow slower than mnist-cnn; medians {slow:0.000} ms vs {original:0.000} ms.");
    }

    private static List<string> Signature(IReadOnlyDictionary<string, NodeMetadata> tensors) =>
        tensors.Select(t => $"{t.Key}:{t.Value.ElementDataType}[{string.Join(",", t.Value.Dimensions)}]").ToList();

    private static float[] Probabilities(byte[] model, float[] image)
    {
        using var session = new OrtSession(model);
        using var results = session.Run(("input", OrtSession.Tensor(image, 1, 1, 28, 28)));
        return results.Values<float>("probabilities");
    }

    private static double MedianRunMs(byte[] model, float[] image)
    {
        using var session = new OrtSession(model);
        for (var i = 0; i < 3; i++) session.Run(("input", OrtSession.Tensor(image, 1, 1, 28, 28))).Dispose(); // warm-up
        var runs = new double[31];
        for (var i = 0; i < runs.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            session.Run(("input", OrtSession.Tensor(image, 1, 1, 28, 28))).Dispose();
            runs[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(runs);
        return runs[runs.Length / 2];
    }
}
