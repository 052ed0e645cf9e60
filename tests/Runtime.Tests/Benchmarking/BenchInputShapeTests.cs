using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Cli;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Tests.Infrastructure;
using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.Benchmarking;

/// <summary><c>serve --bench-input-shape NAME=d1,…</c>: the on-node benchmark measures real input sizes.</summary>
public sealed class BenchInputShapeTests
{
    private static string[] Args(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void RepeatedOption_ParsesEveryShape()
    {
        var o = ServeCommand.Parse(Args("--model m.onnx --bench-input-shape image=1,3,224,224 --bench-input-shape mask=1,224"));
        Assert.Equal([1L, 3, 224, 224], o.BenchInputShapes["image"]);
        Assert.Equal([1L, 224], o.BenchInputShapes["mask"]);
    }

    [Theory]
    [InlineData("--bench-input-shape image", "must be NAME=d1,d2")]
    [InlineData("--bench-input-shape image=1,x", "dimension 1 'x' must be a positive integer")]
    [InlineData("--bench-input-shape image=1,0", "dimension 1 '0' must be a positive integer")]
    [InlineData("--bench-input-shape a=1 --bench-input-shape a=2", "names input 'a' twice")]
    public void BadShape_IsAUsageError(string option, string expected)
    {
        var error = Assert.Throws<CliUsageException>(() => ServeCommand.Parse(Args("--model m.onnx " + option)));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void GivenShape_IsUsed_WithTheBatchSizeFirst_AndTheReportSaysSo()
    {
        var input = SampleModelCatalog.IdentityInputName(OnnxElementType.Float);
        using var model = OnnxModel.Load(ModelFiles.Identity(OnnxElementType.Float), DeviceKind.Cpu, SessionTuning.ForServing());
        var shapes = new Dictionary<string, long[]> { [input] = [1, 32] };

        var inputs = SyntheticInputs.Create(model.Inputs, 8, shapes: shapes);
        Assert.Equal([8L, 32], inputs.Single().Shape);
        foreach (var t in inputs) t.Dispose();

        var result = ModelBenchmark.Run(model, new BenchmarkPlan(8, 0, 3), "node-a", shapes: shapes);
        Assert.Equal($"{input}=[8,32]", result.InputShapes);
    }

    [Fact]
    public void DynamicDimensionWithoutShape_UsesOne_AndTheReportSaysSo()
    {
        var input = SampleModelCatalog.IdentityInputName(OnnxElementType.Float);
        using var model = OnnxModel.Load(ModelFiles.Identity(OnnxElementType.Float), DeviceKind.Cpu, SessionTuning.ForServing());
        var result = ModelBenchmark.Run(model, new BenchmarkPlan(2, 0, 3), "node-a");
        Assert.Equal($"{input}=[2,1] (dynamic dimensions of {input} had no shape and used 1)", result.InputShapes);
    }

    [Fact]
    public void ShapeThatContradictsTheModel_FailsNamingBoth()
    {
        using var model = OnnxModel.Load(ModelFiles.Mlp, DeviceKind.Cpu, SessionTuning.ForServing());
        var error = Assert.Throws<ArgumentException>(() => SyntheticInputs.Create(model.Inputs, 1, shapes: new Dictionary<string, long[]> { ["features"] = [1, 17] }));
        Assert.Contains("has 17 at dimension 1, but the model fixes it at 16", error.Message);
    }
}
