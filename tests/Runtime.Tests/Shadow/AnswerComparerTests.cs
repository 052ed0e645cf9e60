using ModelOperator.Runtime.Shadow;
using Xunit;

namespace ModelOperator.Runtime.Tests.Shadow;

/// <summary>The shadow rollout's comparison of two answers to the same request (issue 23): a table per rule.</summary>
public sealed class AnswerComparerTests
{
    private static AnswerTensor Scores(long[] shape, params double[] values) => new("probabilities", "FP32", shape, values);

    private static OutputAgreement One(AnswerTensor stable, AnswerTensor shadow) => Assert.Single(AnswerComparer.Compare([stable], [shadow]));

    [Fact]
    public void IdenticalAnswers_Agree_WithNoDifference()
    {
        var r = One(Scores([1, 3], 0.1, 0.7, 0.2), Scores([1, 3], 0.1, 0.7, 0.2));
        Assert.Equal(new OutputAgreement("probabilities", true, 0), r);
        Assert.True(r.Agrees);
    }

    [Fact]
    public void SameTop1_DifferentScores_Agrees_AndReportsTheLargestDifference()
    {
        var r = One(Scores([1, 3], 0.1, 0.7, 0.2), Scores([1, 3], 0.25, 0.5, 0.25));
        Assert.True(r.Top1Agrees);
        Assert.Equal(0.2, r.MaxAbsDiff, 12);
    }

    [Fact]
    public void AnotherTop1_Disagrees_NamingTheRowAndBothClasses()
    {
        var r = One(Scores([1, 3], 0.1, 0.7, 0.2), Scores([1, 3], 0.1, 0.2, 0.7));
        Assert.False(r.Agrees);
        Assert.Equal(new Top1Disagreement(0, 1, 2), r.Disagreement);
        Assert.Equal(0.5, r.MaxAbsDiff, 12);
    }

    [Fact]
    public void Top1IsAlongTheLastAxis_NotOverTheWholeTensor()
    {
        // Shape [1, 2, 3]: two rows of three classes. Over the whole tensor both sides' maximum is element 5; along the
        // last axis the first row's top-1 differs (1 against 0).
        var r = One(Scores([1, 2, 3], 0.2, 0.3, 0.1, 0.0, 0.1, 0.9), Scores([1, 2, 3], 0.3, 0.2, 0.1, 0.0, 0.1, 0.9));
        Assert.Equal(new Top1Disagreement(0, 1, 0), r.Disagreement);
    }

    [Theory]
    [InlineData(new[] { 0.9, 0.1, 0.1, 0.8, 0.3, 0.3 }, true, -1)]   // all three rows agree
    [InlineData(new[] { 0.9, 0.1, 0.8, 0.1, 0.3, 0.3 }, false, 1)]   // only the second row differs: the request disagrees
    [InlineData(new[] { 0.9, 0.1, 0.1, 0.8, 0.3, 0.4 }, false, 2)]   // the third row's tie is broken by the shadow
    public void BatchOfSeveralRows_AgreesOnlyWhenEveryRowDoes(double[] shadow, bool agrees, int firstRow)
    {
        var stable = Scores([3, 2], 0.9, 0.1, 0.1, 0.8, 0.3, 0.3);
        var r = One(stable, Scores([3, 2], shadow));
        Assert.Equal(agrees, r.Top1Agrees);
        Assert.Equal(firstRow, r.Disagreement?.Row ?? -1);
    }

    [Theory]
    [InlineData(new[] { 0.4, 0.4, 0.2 }, new[] { 0.4, 0.4, 0.2 }, true)]     // the same tie
    [InlineData(new[] { 0.4, 0.4, 0.2 }, new[] { 0.5, 0.3, 0.2 }, false)]    // a tie against a clear top-1, even one a tie-break would pick
    [InlineData(new[] { 0.6, 0.3, 0.1 }, new[] { 0.25, 0.25, 0.25 }, false)] // a constant answer never agrees with a clear top-1
    [InlineData(new[] { 0.4, 0.4, 0.2 }, new[] { 0.2, 0.4, 0.4 }, false)]    // another tie
    public void Ties_AgreeOnlyWithTheSameTie(double[] stable, double[] shadow, bool agrees)
    {
        var r = One(Scores([1, 3], stable), Scores([1, 3], shadow));
        Assert.Equal(agrees, r.Top1Agrees);
    }

    [Fact]
    public void TiedTop1_IsReportedAsMinusOne_InTheExample()
    {
        var r = One(Scores([1, 3], 0.6, 0.3, 0.1), Scores([1, 3], 0.4, 0.4, 0.2));
        Assert.Equal(new Top1Disagreement(0, 0, -1), r.Disagreement);
    }

    [Theory]
    [InlineData(double.NaN, double.NaN, true, 0.0)]                        // NaN at the same place on both sides
    [InlineData(double.NaN, 0.1, false, double.PositiveInfinity)]          // NaN from stable only
    [InlineData(0.1, double.NaN, false, double.PositiveInfinity)]          // NaN from the shadow only
    public void NaN_AgreesOnlyWithNaNAtTheSamePlace(double stableLast, double shadowLast, bool agrees, double maxDiff)
    {
        var r = One(Scores([1, 3], 0.2, 0.7, stableLast), Scores([1, 3], 0.2, 0.7, shadowLast));
        Assert.Equal(agrees, r.Top1Agrees);
        Assert.Equal(maxDiff, r.MaxAbsDiff);
    }

    [Fact]
    public void ShapeMismatch_Disagrees_AndSaysWhy()
    {
        var r = One(Scores([1, 3], 0.1, 0.7, 0.2), Scores([3, 1], 0.1, 0.7, 0.2));
        Assert.False(r.Agrees);
        Assert.Equal(double.PositiveInfinity, r.MaxAbsDiff);
        Assert.Equal("output 'probabilities' has shape [1,3] from stable and [3,1] from the shadow", r.Mismatch);
    }

    [Fact]
    public void DatatypeMismatch_AndMissingOutput_Disagree_AndSayWhy()
    {
        var fp16 = One(Scores([1, 2], 0.1, 0.9), new AnswerTensor("probabilities", "FP16", [1, 2], [0.1, 0.9]));
        Assert.Equal("output 'probabilities' is FP32 from stable and FP16 from the shadow", fp16.Mismatch);

        var missing = Assert.Single(AnswerComparer.Compare([Scores([1, 2], 0.1, 0.9)], [new AnswerTensor("logits", "FP32", [1, 2], [0.1, 0.9])]));
        Assert.Equal("the shadow's answer has no output 'probabilities'", missing.Mismatch);
        Assert.False(missing.Agrees);
    }

    [Fact]
    public void RegressionAndIntegerOutputs_HaveNoTop1_OnlyTheirDifference()
    {
        var results = AnswerComparer.Compare(
            [new AnswerTensor("price", "FP32", [2, 1], [10, 20]), new AnswerTensor("label", "INT64", [2], [3, 5]), new AnswerTensor("text", "BYTES", [1], null)],
            [new AnswerTensor("price", "FP32", [2, 1], [10.5, 19]), new AnswerTensor("label", "INT64", [2], [3, 7]), new AnswerTensor("text", "BYTES", [1], null)]);
        Assert.Equal([new OutputAgreement("price", null, 1), new OutputAgreement("label", null, 2), new OutputAgreement("text", null, 0)], results);
        Assert.All(results, r => Assert.True(r.Agrees)); // agreement is for class scores; maxOutputDiff judges these
    }

    [Fact]
    public void EveryStableOutput_IsComparedSeparately_InItsOrder()
    {
        var results = AnswerComparer.Compare(
            [Scores([1, 2], 0.1, 0.9), new AnswerTensor("embedding", "FP32", [1, 1], [0.5])],
            [new AnswerTensor("embedding", "FP32", [1, 1], [0.75]), Scores([1, 2], 0.9, 0.1)]);
        Assert.Equal(["probabilities", "embedding"], results.Select(r => r.Output));
        Assert.Equal([false, true], results.Select(r => r.Agrees));
        Assert.Equal(0.25, results[1].MaxAbsDiff);
    }
}
