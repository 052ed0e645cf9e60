using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Store;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>Crafted packages and model references of issue 11: refused with a clear error, never a corrupted pull.</summary>
[Collection(RegistryCollection.Name)]
public sealed class HostilePackageTests(RegistryFixture registry)
{
    [Theory]
    [InlineData("index.json", "reserved for the package's own OCI layout")]
    [InlineData("oci-layout", "reserved for the package's own OCI layout")]
    [InlineData("blobs/sha256/model.onnx", "reserved for the package's own OCI layout")]
    [InlineData("mo\u0000del.onnx", "control character or NUL")]
    [InlineData("line\nbreak.onnx", "control character or NUL")]
    [InlineData("./model.onnx", "empty or '.' path segment")]
    public async Task Pull_LayerWithAReservedOrUnsafeTitle_IsRefused_AndLeavesNothing(string title, string expected)
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = SampleModelCatalog.Mlp();
        var reference = $"{registry.Server.Host}/{registry.NewRepository("title")}:1";
        await CraftedPackage.PushAsync(packages, dir, reference, MediaTypes.ModelConfig, CraftedPackage.ModelConfigFor(onnx, title),
            new CraftedPackage.Layer(MediaTypes.WeightRaw, onnx, title));

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync(reference, dir["out"]));

        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\0', error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public async Task Pull_TitleOverTheNameLimit_IsRefused()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = SampleModelCatalog.Mlp();
        var title = new string('m', 300) + ".onnx";
        var reference = $"{registry.Server.Host}/{registry.NewRepository("longtitle")}:1";
        await CraftedPackage.PushAsync(packages, dir, reference, MediaTypes.ModelConfig, CraftedPackage.ModelConfigFor(onnx, title),
            new CraftedPackage.Layer(MediaTypes.WeightRaw, onnx, title));

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync(reference, dir["out"]));

        Assert.Contains("over 255 bytes", error.Message);
    }

    [Fact]
    public async Task Pull_RewritingAnExistingPackage_NeverWritesThroughTheModelsHardLink()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = SampleModelCatalog.Mlp();
        var reference = $"{registry.Server.Host}/{registry.NewRepository("relink")}:1";
        var packed = await packages.PackAsync(dir.WriteModel("model.onnx", onnx), dir["packed"]);
        await packages.PushAsync(dir["packed"], reference);

        await packages.PullAsync(reference, dir["out"]);
        await new OciLayout(dir["out"]).WriteIndexAsync(new OciDescriptor(MediaTypes.OciManifest, "sha256:" + new string('0', 64), 1), CancellationToken.None);

        Assert.Equal(onnx, await File.ReadAllBytesAsync(dir["out/model.onnx"]));
    }

    [Fact]
    public async Task LocalModel_WithAWrongSha256_IsRefused_NotIgnored()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("model.onnx", SampleModelCatalog.Mlp());

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            ModelSources.ResolveAsync(onnx, new ModelSourceOptions(Sha256: new string('0', 64)), CancellationToken.None));
        var right = await ModelSources.ResolveAsync(onnx, new ModelSourceOptions(Sha256: Digest.Of(SampleModelCatalog.Mlp())), CancellationToken.None);

        Assert.Contains("does not match the model", error.Message);
        Assert.Equal(Digest.Of(SampleModelCatalog.Mlp()), right.Digest);
    }

    [Fact]
    public async Task DirectoryAsModel_SaysItIsADirectory()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["plain"]);

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            ModelSources.ResolveAsync(dir["plain"], new ModelSourceOptions(), CancellationToken.None));

        Assert.Contains("is a directory, not an ONNX model file", error.Message);
    }

    [Fact]
    public async Task PackageDirectoryAsModel_IsServedFromItsLayout()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = SampleModelCatalog.Mlp();
        await packages.PackAsync(dir.WriteModel("model.onnx", onnx), dir["packed"], name: "mlp", version: "3.1");

        var resolved = await ModelSources.ResolveAsync(dir["packed"], new ModelSourceOptions(), CancellationToken.None);

        Assert.Equal(onnx, await File.ReadAllBytesAsync(resolved.OnnxPath));
        Assert.Equal("3.1", resolved.Version);
        Assert.StartsWith("sha256:", resolved.Digest);
    }
}
