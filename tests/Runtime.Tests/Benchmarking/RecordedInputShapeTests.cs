using System.Text.Json.Nodes;
using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.Benchmarking;

/// <summary>
/// A package that recorded its input shapes (<c>pack --input-shape</c>) is benchmarked at them on the node without
/// any <c>--bench-input-shape</c>; the option, when given, replaces them.
/// </summary>
public sealed class RecordedInputShapeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "recorded-shapes-" + Guid.NewGuid().ToString("N"));
    private static readonly string Input = SampleModelCatalog.IdentityInputName(OnnxElementType.Float);

    [Theory]
    [InlineData(false, "None")]
    [InlineData(true, "None")]
    [InlineData(false, "Options")]
    [InlineData(true, "Options")]
    public void Choose_PrefersTheOptions_ThenThePackage(bool packageRecorded, string options)
    {
        var given = options == "Options" ? new Dictionary<string, long[]> { ["x"] = [1, 8] } : new Dictionary<string, long[]>();
        var recorded = packageRecorded ? new Dictionary<string, long[]> { ["x"] = [1, 32] } : null;

        var chosen = BenchInputShapes.Choose(given, recorded);

        var (expectedSource, expectedShape) = (options, packageRecorded) switch
        {
            ("Options", _) => (BenchInputShapes.FromOptions, new long[] { 1, 8 }),
            (_, true) => (BenchInputShapes.FromPackage, new long[] { 1, 32 }),
            _ => (BenchInputShapes.FromNothing, null),
        };
        Assert.Equal(expectedSource, chosen.Source);
        Assert.Equal(expectedShape, expectedShape is null ? null : chosen.Shapes["x"]);
        if (expectedShape is null) Assert.Empty(chosen.Shapes);
    }

    [Fact]
    public async Task ServedPackage_IsBenchmarkedAtItsRecordedShapes()
    {
        var package = await PackIdentityAsync(recorded: [1, 32]);

        var results = await BenchmarkInputShapesAsync(new ServeOptions { Model = package, BenchBatchSizes = [2], BenchIterations = 3, BenchWarmup = 0 });

        Assert.Equal([$"{Input}=[2,32]"], results);
    }

    [Fact]
    public async Task BenchInputShapeOption_ReplacesTheRecordedShapes()
    {
        var package = await PackIdentityAsync(recorded: [1, 32]);

        var results = await BenchmarkInputShapesAsync(new ServeOptions
        {
            Model = package, BenchBatchSizes = [2], BenchIterations = 3, BenchWarmup = 0,
            BenchInputShapes = new Dictionary<string, long[]> { [Input] = [1, 8] },
        });

        Assert.Equal([$"{Input}=[2,8]"], results);
    }

    private async Task<string> PackIdentityAsync(long[] recorded)
    {
        Directory.CreateDirectory(_dir);
        var onnx = Path.Combine(_dir, "identity.onnx");
        await File.WriteAllBytesAsync(onnx, SampleModelCatalog.Identity(OnnxElementType.Float));
        var output = Path.Combine(_dir, "package");
        await ModelPacker.PackAsync(new PackRequest(onnx, "identity", "1", output,
            InputShapes: new Dictionary<string, long[]> { [Input] = recorded }), CancellationToken.None);
        return output;
    }

    private static async Task<List<string>> BenchmarkInputShapesAsync(ServeOptions options)
    {
        await using var server = await RunningServer.StartAsync(options);
        var report = JsonNode.Parse(await server.Http.GetStringAsync($"/v2/models/{server.ModelName}/benchmark"))!;
        Assert.Equal("completed", report["status"]!.GetValue<string>());
        return report["results"]!.AsArray().Select(r => r!["inputShapes"]!.GetValue<string>()).ToList();
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
