using System.Text.Json;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary><c>pack --quantize int8</c>, <c>--input-shape</c> and <c>--max-drift</c> as a user types them, and <c>inspect</c> showing the report.</summary>
public sealed class CompressionCliTests
{
    [Fact]
    public async Task PackQuantizeInt8_PrintsTheReportAndInspectShowsIt()
    {
        using var dir = new TempDir();
        var cli = new CliRunner(dir["cache"]);
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());

        var pack = await cli.RunAsync("pack", onnx, "--name", "mlp", "--version", "1.0-int8", "--quantize", "int8",
            "--input-shape", "features=4,16", "--max-drift", "0.5", "-o", dir["int8"]);
        var inspect = await cli.RunAsync("inspect", dir["int8"], "--json");

        Assert.True(pack.ExitCode == 0, pack.Stderr);
        Assert.Contains("int8-dynamic", pack.Stdout);
        Assert.Matches(@"output\s+scores: max \|diff\| [0-9.E-]+, top-1 agreement", pack.Stdout);
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        using var json = JsonDocument.Parse(inspect.Stdout);
        var compression = json.RootElement.GetProperty("compression");
        Assert.Equal("int8-dynamic", compression.GetProperty("method").GetString());
        Assert.True(compression.GetProperty("sizeRatio").GetDouble() < 1);
        Assert.Equal(4, json.RootElement.GetProperty("inputShapes").GetProperty("features")[0].GetInt32());
    }

    [Fact]
    public async Task PackQuantizeInt8_OpsetNineRecogniser_ReportsAgreementPerPositionAndWhatWasDone()
    {
        using var dir = new TempDir();
        var cli = new CliRunner(dir["cache"]);
        var onnx = dir.WriteModel("recogniser.onnx", SampleModelCatalog.SequenceRecogniser(9));

        var pack = await cli.RunAsync("pack", onnx, "--name", "recogniser", "--version", "1.0-int8", "--quantize", "int8",
            "--min-agreement", "0.95", "--max-drift", "0.5", "-o", dir["int8"]);

        Assert.True(pack.ExitCode == 0, pack.Stderr);
        Assert.Matches(@"output\s+probabilities: max \|diff\| [0-9.E-]+, top-1 agreement 9\d\.\d ?% of 4096 rows", pack.Stdout);
        Assert.Matches(@"output\s+line_scores: max \|diff\| [0-9.E-]+, top-1 agreement", pack.Stdout);
        Assert.Contains("done       default opset 9 kept", pack.Stdout);
        Assert.Matches(@"left float MatMul_\d+ \(MatMul\): both operands are computed", pack.Stdout);
    }

    [Theory]
    [InlineData(new[] { "--min-agreement", "0.9" }, "add --quantize int8 or --fp16")]
    [InlineData(new[] { "--fp16", "--min-agreement", "1.5" }, "--min-agreement must be a number between 0 and 1")]
    [InlineData(new[] { "--quantize", "int4" }, "--quantize takes 'int8'")]
    [InlineData(new[] { "--quantize", "int8", "--fp16" }, "pack each on its own")]
    [InlineData(new[] { "--max-drift", "0.1" }, "add --quantize int8 or --fp16")]
    [InlineData(new[] { "--input-shape", "features" }, "NAME=d1,d2")]
    [InlineData(new[] { "--input-shape", "features=4,x" }, "positive integers")]
    [InlineData(new[] { "--fp16", "--max-drift", "-1" }, "--max-drift must be a number >= 0")]
    public async Task Pack_BadCompressionOptions_AreRefusedWithAClearMessage(string[] options, string message)
    {
        using var dir = new TempDir();
        var cli = new CliRunner(dir["cache"]);
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());

        var pack = await cli.RunAsync(["pack", onnx, "--name", "mlp", "--version", "1", "-o", dir["out"], .. options]);

        Assert.Equal(2, pack.ExitCode);
        Assert.Contains(message, pack.Stderr);
        Assert.False(Directory.Exists(dir["out"]));
    }
}
