using Microsoft.ML.OnnxRuntime;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Packaging.Compression;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary><c>pack --quantize int8</c> and <c>--fp16</c>: the variant loads, is smaller, answers within the drift it reports, and records where it came from.</summary>
public sealed class CompressionTests
{
    private static Task<PackResult> PackAsync(string onnx, string output, CompressionRequest compression,
        IReadOnlyDictionary<string, long[]>? shapes = null) =>
        ModelPacker.PackAsync(new PackRequest(onnx, "sample", "1.0-int8", output, Compression: compression, InputShapes: shapes), CancellationToken.None);

    private static string ModelIn(string packageDir, PackResult packed) =>
        Path.Combine(packageDir, "blobs", "sha256", packed.Config.Config.Sha256);

    [Theory]
    [InlineData("mlp", "features", new[] { 32, 16 }, "scores")]
    [InlineData("mnist-cnn", "input", new[] { 4, 1, 28, 28 }, "probabilities")]
    [InlineData("wide-mlp", "features", new[] { 16, 512 }, "probabilities")]
    public async Task Int8_SampleModel_LoadsIsSmallerAndAnswersWithinTheReportedDrift(string name, string input, int[] shape, string output)
    {
        using var dir = new TempDir();
        var original = SampleModelCatalog.Get(name).Build();
        var onnx = dir.WriteModel($"{name}.onnx", original);

        var packed = await PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8));

        var report = packed.Config.Config.Compression!;
        Assert.Equal("int8-dynamic", report.Method);
        Assert.Equal(Digest.Hex(Digest.Of(original)), report.SourceSha256);
        Assert.True(packed.ModelSize < original.Length, $"int8 package {packed.ModelSize} bytes, float32 {original.Length}");
        Assert.Equal((double)packed.ModelSize / original.Length, report.SizeRatio, 3);
        Assert.True(report.RewrittenOperators > 0);
        Assert.Empty(report.LeftFloat);
        var drift = Assert.Single(report.Outputs);
        Assert.Equal(output, drift.Name);
        Assert.True(drift.Top1Agreement >= 0.95, $"top-1 agreement {drift.Top1Agreement}");
        var expected = ModelRunner.Run(onnx, input, shape);
        var actual = ModelRunner.Run(ModelIn(dir["int8"], packed), input, shape);
        var measured = ModelRunner.MaxAbsDifference(expected[output], actual[output]);
        Assert.InRange(measured, 0, Math.Max(report.MaxDrift * 2, 1e-6));
        Assert.True(measured > 0, "an int8 model that answers bit-identically was not quantised");
    }

    [Fact]
    public async Task Int8_MatMulHeavyModel_IsAtMostThreeTenthsOfItsFloatSize()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("wide.onnx", SampleModelCatalog.WideMlp());

        var packed = await PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8));

        var report = packed.Config.Config.Compression!;
        Assert.InRange(report.SizeRatio, 0.2, 0.3);
        Assert.Equal(3, report.RewrittenOperators);
        Assert.InRange(report.Outputs[0].Top1Agreement!.Value, 0.95, 1.0);
    }

    [Fact]
    public async Task Int8_ConvolutionalModel_StoresConvWeightsAsInt8()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("cnn.onnx", SampleModelCatalog.MnistCnn());

        var packed = await PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8));

        var model = Runtime.Packaging.Onnx.OnnxModel.Load(ModelIn(dir["int8"], packed));
        var ops = model.Graph.Nodes.Select(Runtime.Packaging.Onnx.OnnxNode.OpType).ToList();
        // Conv weights are int8 decoded by Cast and Mul (folded back to float at load); the two Gemms compute in int8.
        Assert.Equal(3, ops.Count(o => o == "Cast"));
        Assert.Equal(2, ops.Count(o => o == "DynamicQuantizeMatMul"));
        Assert.DoesNotContain("Gemm", ops);
        Assert.Equal(3, model.Graph.Initializers.Count(t => new Runtime.Packaging.Onnx.OnnxTensor(t).DataType == Runtime.Packaging.Onnx.OnnxDataType.Int8 && new Runtime.Packaging.Onnx.OnnxTensor(t).Dims.Length == 4));
        Assert.InRange(packed.Config.Config.Compression!.SizeRatio, 0.2, 0.3);
    }

    [Fact]
    public async Task Int8_AfterOptimize_ListsTheFusedOperatorsItLeavesFloat()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("cnn.onnx", SampleModelCatalog.MnistCnn());

        var packed = await ModelPacker.PackAsync(new PackRequest(onnx, "cnn", "1.0-int8", dir["int8"], Optimize: true,
            Compression: new CompressionRequest(CompressionMethod.Int8)), CancellationToken.None);

        var report = packed.Config.Config.Compression!;
        var fused = report.LeftFloat.Where(f => f.Contains("(FusedConv): it is a com.microsoft operator, which the quantiser does not rewrite")).ToList();
        Assert.Equal(3, fused.Count);
        Assert.Contains(fused, f => f.Contains("'conv1.weight'"));
        Assert.True(report.SizeRatio > 0.9, $"size ratio {report.SizeRatio}: the fused Convs' weights are most of the model and stay float");
    }

    [Fact]
    public async Task Fp16_KeepsFloat32InputsAndOutputs()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("cnn.onnx", SampleModelCatalog.MnistCnn());

        var packed = await PackAsync(onnx, dir["fp16"], new CompressionRequest(CompressionMethod.Fp16));

        Assert.All(packed.Config.Config.Signature.Inputs.Concat(packed.Config.Config.Signature.Outputs), t => Assert.Equal("FP32", t.Datatype));
        using var session = new InferenceSession(ModelIn(dir["fp16"], packed));
        Assert.Equal(typeof(float), session.InputMetadata["input"].ElementType);
        Assert.Equal(typeof(float), session.OutputMetadata["probabilities"].ElementType);
        var report = packed.Config.Config.Compression!;
        Assert.InRange(report.SizeRatio, 0.45, 0.55);
        Assert.Contains("GPU", report.Note);
        var expected = ModelRunner.Run(onnx, "input", [2, 1, 28, 28]);
        var actual = ModelRunner.Run(ModelIn(dir["fp16"], packed), "input", [2, 1, 28, 28]);
        Assert.InRange(ModelRunner.MaxAbsDifference(expected["probabilities"], actual["probabilities"]), 0, 0.01);
    }

    [Fact]
    public async Task MaxDrift_Exceeded_RefusesAndLeavesNothingBehind()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());
        var before = Directory.GetFileSystemEntries(dir.Path).Order().ToList();

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8, MaxDrift: 1e-9)));

        Assert.Contains("--max-drift", error.Message);
        Assert.Contains("scores", error.Message);
        Assert.Equal(before, Directory.GetFileSystemEntries(dir.Path).Order().ToList());
    }

    [Fact]
    public async Task InputShapes_AreRecordedAndUsedForTheSyntheticInputs()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());
        var shapes = new Dictionary<string, long[]> { ["features"] = [3, 16] };

        var packed = await PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8), shapes);

        Assert.Equal([3L, 16L], packed.Config.Config.InputShapes!["features"]);
        Assert.Contains("features=[3,16]", packed.Config.Config.Compression!.Inputs);
        Assert.Equal(SyntheticInputs.DefaultSamples * 3, packed.Config.Config.Compression.Outputs[0].Rows);
        var summary = await PackageInspector.FromDirectoryAsync(dir["int8"], CancellationToken.None);
        Assert.Contains("int8-dynamic", summary.ToTable());
        Assert.Contains("features=[3,16]", summary.ToTable());
    }

    [Theory]
    [InlineData("nonexistent", new long[] { 1, 16 }, "not an input")]
    [InlineData("features", new long[] { 16 }, "has 1 dims")]
    [InlineData("features", new long[] { 2, 15 }, "fixed dim 1 = 16")]
    public async Task InputShapes_ThatDoNotFitTheModel_AreRefused(string input, long[] shape, string message)
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());

        var error = await Assert.ThrowsAsync<PackageException>(() => ModelPacker.PackAsync(
            new PackRequest(onnx, "mlp", "1", dir["out"], InputShapes: new Dictionary<string, long[]> { [input] = shape }), CancellationToken.None));

        Assert.Contains(message, error.Message);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public async Task Calibration_NpyFiles_AreTheInputsCompared()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());
        for (var s = 0; s < 2; s++)
        {
            Directory.CreateDirectory(dir[$"calibration/{s}"]);
            var values = Enumerable.Range(0, 5 * 16).Select(i => (float)Math.Sin(i + s)).ToArray();
            await File.WriteAllBytesAsync(dir[$"calibration/{s}/features.npy"], Npy("<f4", "(5, 16)", values.SelectMany(BitConverter.GetBytes).ToArray()));
        }

        var packed = await PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8, CalibrationDir: dir["calibration"]));

        Assert.StartsWith("calibration (2 samples", packed.Config.Config.Compression!.Inputs);
        Assert.Equal(10, packed.Config.Config.Compression.Outputs[0].Rows);
    }

    private static byte[] Npy(string descr, string shape, byte[] payload)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        header = header.PadRight(118) + "\n";
        return [0x93, .. "NUMPY"u8.ToArray(), 1, 0, (byte)header.Length, 0, .. System.Text.Encoding.ASCII.GetBytes(header), .. payload];
    }
}
