using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary><c>pack</c>: the OCI layout and ModelPack config it writes, <c>--optimize</c>, and the bad input it refuses.</summary>
public sealed class PackTests
{
    [Fact]
    public async Task Pack_WritesAnOciLayoutWithAModelPackArtifact()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var original = SampleModelCatalog.MultiIo();
        var onnx = dir.WriteModel("multi.onnx", original);

        var packed = await packages.PackAsync(onnx, dir["packed"], name: "multi", version: "2.1");

        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", await File.ReadAllTextAsync(dir["packed/oci-layout"]));
        using var index = JsonDocument.Parse(await File.ReadAllTextAsync(dir["packed/index.json"]));
        var entry = index.RootElement.GetProperty("manifests")[0];
        Assert.Equal(packed.ManifestDigest, entry.GetProperty("digest").GetString());
        var manifestPath = Path.Combine(dir["packed/blobs/sha256"], packed.ManifestDigest["sha256:".Length..]);
        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(manifestPath));
        Assert.Equal(MediaTypes.ModelArtifact, manifest.RootElement.GetProperty("artifactType").GetString());
        Assert.Equal(MediaTypes.ModelConfig, manifest.RootElement.GetProperty("config").GetProperty("mediaType").GetString());
        var layer = manifest.RootElement.GetProperty("layers")[0];
        Assert.Equal(MediaTypes.WeightRaw, layer.GetProperty("mediaType").GetString());
        Assert.Equal("multi.onnx", layer.GetProperty("annotations").GetProperty(MediaTypes.TitleAnnotation).GetString());
        Assert.Equal(original, await File.ReadAllBytesAsync(Path.Combine(dir["packed/blobs/sha256"], layer.GetProperty("digest").GetString()!["sha256:".Length..])));

        var config = packed.Config;
        Assert.Equal(("multi", "2.1", "onnx"), (config.Descriptor.Name, config.Descriptor.Version, config.Config.Format));
        Assert.Equal(Digest.Hex(Digest.Of(original)), config.Config.Sha256);
        Assert.Equal(["Apache-2.0"], config.Descriptor.Licenses!);
        Assert.Equal("packaging", config.Descriptor.Labels!["team"]);
        Assert.Null(config.Config.Optimization);
        using var session = new InferenceSession(onnx);
        Assert.Equal(session.InputMetadata.Keys, config.Config.Signature.Inputs.Select(i => i.Name));
        Assert.Equal(session.OutputMetadata.Keys, config.Config.Signature.Outputs.Select(o => o.Name));
        foreach (var input in config.Config.Signature.Inputs)
            Assert.Equal(session.InputMetadata[input.Name].Dimensions.Select(d => (long)d), input.Shape);
    }

    [Fact]
    public async Task Pack_SignatureMarksDynamicDimensionsAsMinusOne()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);

        var packed = await packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"]);

        var input = Assert.Single(packed.Config.Config.Signature.Inputs);
        Assert.Equal("FP32", input.Datatype);
        Assert.Equal(-1, input.Shape[0]);
    }

    [Fact]
    public async Task Pack_Optimize_RecordsItAndKeepsTheOutputs()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = dir.WriteModel("mnist.onnx", SampleModelCatalog.MnistCnn());

        var packed = await packages.PackAsync(onnx, dir["packed"], optimize: true);
        var optimizedPath = Path.Combine(dir["packed/blobs/sha256"], packed.Config.Config.Sha256);

        Assert.NotNull(packed.Config.Config.Optimization);
        Assert.Equal(Digest.Hex(Digest.Of(await File.ReadAllBytesAsync(onnx))), packed.Config.Config.Optimization!.OriginalSha256);
        Assert.Equal("extended", packed.Config.Config.Optimization.Level);
        var expected = Run(onnx);
        var actual = Run(optimizedPath);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, values) in expected)
        {
            Assert.Equal(values.Length, actual[name].Length);
            for (var i = 0; i < values.Length; i++)
                Assert.True(Math.Abs(values[i] - actual[name][i]) <= 1e-4f + 1e-4f * Math.Abs(values[i]),
                    $"output {name}[{i}]: original {values[i]}, optimised {actual[name][i]}");
        }
    }

    [Fact]
    public async Task Pack_CorruptOnnx_IsRefusedWithOnnxRuntimesErrorAndWritesNothing()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var corrupt = SampleModelCatalog.Mlp()[..100];
        var onnx = dir.WriteModel("broken.onnx", corrupt);
        Directory.CreateDirectory(dir["parent"]);

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PackAsync(onnx, dir["parent/packed"]));

        Assert.Contains("'broken.onnx' is not a valid ONNX model: ONNX Runtime says:", error.Message);
        Assert.Empty(Leftovers.In(dir["parent"]));
    }

    [Fact]
    public async Task Pack_IntoNonEmptyDirectory_NeedsForceAndKeepsTheContentsWithout()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());
        Directory.CreateDirectory(dir["packed"]);
        await File.WriteAllTextAsync(dir["packed/precious.txt"], "keep me");

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PackAsync(onnx, dir["packed"]));

        Assert.Contains("is not empty; pass --force", error.Message);
        Assert.Equal("keep me", await File.ReadAllTextAsync(dir["packed/precious.txt"]));
        await packages.PackAsync(onnx, dir["packed"], force: true);
        Assert.False(File.Exists(dir["packed/precious.txt"]));
        Assert.True(OciLayout.IsLayout(dir["packed"]));
        Assert.Single(Directory.GetDirectories(dir.Path), d => Path.GetFileName(d) == "packed");
    }

    [Theory]
    [InlineData("has space", "1")]
    [InlineData("ok", "../1")]
    [InlineData("", "1")]
    public async Task Pack_InvalidNameOrVersion_IsRefused(string name, string version)
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"], name, version));

        Assert.Contains("invalid", error.Message);
        Assert.False(Directory.Exists(dir["packed"]));
    }

    /// <summary>Runs a model on deterministic inputs (dynamic dims as 2) and returns its float outputs by name.</summary>
    private static Dictionary<string, float[]> Run(string path)
    {
        using var session = new InferenceSession(path);
        var inputs = session.InputMetadata.Select(kv =>
        {
            var shape = kv.Value.Dimensions.Select(d => d < 0 ? 2 : d).ToArray();
            var tensor = new DenseTensor<float>(shape);
            for (var i = 0; i < tensor.Length; i++) tensor.SetValue(i, (float)Math.Sin(i * 0.37) * 0.5f + 0.5f);
            return NamedOnnxValue.CreateFromTensor(kv.Key, tensor);
        }).ToList();
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r => r.AsEnumerable<float>().ToArray());
    }
}
