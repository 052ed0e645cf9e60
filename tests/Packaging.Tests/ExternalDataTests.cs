using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Packaging.Compression;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>Models with ONNX external data: packed as one archive layer, pushed to and pulled from the real registry byte for byte, and loaded.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ExternalDataTests(RegistryFixture registry)
{
    [Fact]
    public async Task ExternalData_PackPushPull_ArrivesByteForByteAndLoads()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        Directory.CreateDirectory(dir["source"]);
        var (model, data) = ExternalDataModel.Write(SampleModelCatalog.MnistCnn(), dir["source"], "cnn.onnx", "cnn.weights");
        var reference = $"{registry.Server.Host}/{registry.NewRepository("external")}:1.0";

        var packed = await packages.PackAsync(model, dir["packed"]);
        await packages.PushAsync(dir["packed"], reference);
        var pulled = await packages.PullAsync(reference, dir["pulled"]);

        Assert.Equal(MediaTypes.WeightTar, (await LocalPackage.OpenAsync(dir["packed"], CancellationToken.None)).Layer.MediaType);
        Assert.Equal(packed.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(await File.ReadAllBytesAsync(model), await File.ReadAllBytesAsync(dir["pulled/cnn.onnx"]));
        Assert.Equal(await File.ReadAllBytesAsync(data), await File.ReadAllBytesAsync(dir["pulled/cnn.weights"]));
        Assert.True(new FileInfo(data).Length > 4_000_000, "the weights should be in the side file");
        var expected = ModelRunner.Run(model, "input", [2, 1, 28, 28]);
        Assert.Equal(expected["probabilities"], ModelRunner.Run(dir["pulled/cnn.onnx"], "input", [2, 1, 28, 28])["probabilities"]);
        Assert.Equal(expected["probabilities"], ModelRunner.Run(pulled.CachedModelPath, "input", [2, 1, 28, 28])["probabilities"]);
    }

    [Fact]
    public async Task ExternalData_Int8_ReadsTheSideFileAndWritesOneSelfContainedModel()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["source"]);
        var (model, _) = ExternalDataModel.Write(SampleModelCatalog.MnistCnn(), dir["source"], "cnn.onnx", "cnn.weights");

        var packed = await ModelPacker.PackAsync(new PackRequest(model, "cnn", "1.0-int8", dir["int8"],
            Compression: new CompressionRequest(CompressionMethod.Int8)), CancellationToken.None);

        var package = await LocalPackage.OpenAsync(dir["int8"], CancellationToken.None);
        Assert.Equal(MediaTypes.WeightRaw, package.Layer.MediaType);
        Assert.InRange(packed.Config.Config.Compression!.SizeRatio, 0.2, 0.3);
        Assert.Equal(1.0, packed.Config.Config.Compression.Outputs[0].Top1Agreement!.Value, 1);
    }

    [Fact]
    public async Task ExternalData_MissingSideFile_IsRefused()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        Directory.CreateDirectory(dir["source"]);
        var (model, data) = ExternalDataModel.Write(SampleModelCatalog.Mlp(), dir["source"], "mlp.onnx", "mlp.weights");
        File.Delete(data);

        var error = await Assert.ThrowsAnyAsync<PackageException>(() => packages.PackAsync(model, dir["packed"]));

        Assert.Contains("mlp.weights", error.Message);
        Assert.False(Directory.Exists(dir["packed"]));
    }
}
