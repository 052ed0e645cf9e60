using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Tests.Unit.Rollout;

public sealed class SignatureGuardTests
{
    private static ModelSignature Sig(params (string Name, string Type, long[] Shape)[] inputs) =>
        new(inputs.Select(i => new TensorSignature(i.Name, i.Type, i.Shape)).ToList(), [new TensorSignature("logits", "FP32", [-1, 10])]);

    [Fact]
    public void SameSignature_HasNoDifferences()
    {
        Assert.Empty(SignatureGuard.Differences(Sig(("x", "FP32", [-1, 24, 96])), Sig(("x", "FP32", [-1, 24, 96]))));
    }

    [Fact]
    public void OneFixedDimension_Differs_AndTheMessageNamesTheTensorAndBothShapes()
    {
        var d = Assert.Single(SignatureGuard.Differences(Sig(("x", "FP32", [1, 24, 96])), Sig(("x", "FP32", [1, 25, 96]))));
        Assert.Equal("input 'x' shape changed from [1,24,96] to [1,25,96]", d);
    }

    [Theory]
    [InlineData("FP32", new long[] { -1, 24 }, "FP16", new long[] { -1, 24 }, "input 'x' datatype changed from FP32 to FP16")]
    [InlineData("FP32", new long[] { -1, 24 }, "FP32", new long[] { -1, 24, 1 }, "input 'x' rank changed from 2 [-1,24] to 3 [-1,24,1]")]
    [InlineData("FP32", new long[] { -1, 24 }, "FP32", new long[] { 8, 24 }, "input 'x' shape changed from [-1,24] to [8,24]")]
    [InlineData("FP32", new long[] { -1, 24 }, "FP32", new long[] { -1, -1 }, "input 'x' shape changed from [-1,24] to [-1,-1]")]
    public void DatatypeRankAndDimensionChanges_AreDifferences(string t1, long[] s1, string t2, long[] s2, string expected)
    {
        Assert.Equal(expected, Assert.Single(SignatureGuard.Differences(Sig(("x", t1, s1)), Sig(("x", t2, s2)))));
    }

    [Fact]
    public void DynamicDimensionsWrittenDifferently_AreTheSame()
    {
        Assert.Empty(SignatureGuard.Differences(Sig(("x", "FP32", [-1, 3])), Sig(("x", "fp32", [-2, 3]))));
    }

    [Fact]
    public void RenamedInput_IsMissingAndNew()
    {
        var d = SignatureGuard.Differences(Sig(("x", "FP32", [-1, 3])), Sig(("input", "FP32", [-1, 3])));
        Assert.Equal(["input 'x' FP32[-1,3] is missing from the new revision", "input 'input' FP32[-1,3] is new in the new revision"], d);
    }

    [Fact]
    public void OutputChanges_AreDifferencesToo()
    {
        var stable = Sig(("x", "FP32", [-1, 3]));
        var candidate = stable with { Outputs = [new TensorSignature("logits", "FP32", [-1, 11])] };
        Assert.Equal("output 'logits' shape changed from [-1,10] to [-1,11]", Assert.Single(SignatureGuard.Differences(stable, candidate)));
    }
}
