using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>What pull does when the registry's content is not what the manifest promised, or not a model at all.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryFailureTests(RegistryFixture registry)
{
    [Theory]
    [InlineData("layer", false, false)]
    [InlineData("layer", true, false)]
    [InlineData("layer", false, true)]
    [InlineData("config", false, false)]
    [InlineData("manifest", false, false)]
    [InlineData("manifest", true, true)]
    public async Task Pull_BlobTamperedInRegistryStorage_IsRefusedNamingBothDigests(string which, bool changeSize, bool pinned)
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        // Blob storage is shared by all repositories of a registry, so damaging it needs a registry of its own.
        await using var server = await RegistryServer.StartAsync();
        var packed = await packages.PackAsync(dir.WriteModel("mnist.onnx", SampleModelCatalog.MnistCnn()), dir["packed"]);
        var repository = $"{server.Host}/{registry.NewRepository("tampered")}";
        await packages.PushAsync(dir["packed"], $"{repository}:1");
        var package = await LocalPackage.OpenAsync(dir["packed"], CancellationToken.None);
        var digest = which switch { "layer" => package.Layer.Digest, "config" => package.Manifest.Config.Digest, _ => packed.ManifestDigest };
        var stored = server.BlobDataPath(digest);
        var bytes = await File.ReadAllBytesAsync(stored);
        if (which == "manifest")
            bytes = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(bytes).Replace("image.created\":\"2", "image.created\":\"3"));
        else
            bytes[bytes.Length / 2] ^= 0xFF;
        if (changeSize) bytes = [.. bytes, (byte)' '];
        Assert.NotEqual(digest, Digest.Of(bytes));
        await File.WriteAllBytesAsync(stored, bytes);
        Directory.CreateDirectory(dir["out"]);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() =>
            packages.PullAsync(pinned ? $"{repository}@{packed.ManifestDigest}" : $"{repository}:1", dir["out/model"]));

        Assert.Contains(digest, error.Message);
        Assert.Contains(Digest.Of(bytes), error.Message);
        Assert.Empty(Leftovers.In(dir["out"]));
        Assert.False(File.Exists(packages.Cache.BlobPath(digest)), "a refused blob must not enter the cache");
        Assert.Empty(Leftovers.In(Path.Combine(packages.Cache.Root, "ingest")));
    }

    [Fact]
    public async Task Pull_ManifestWhoseBlobIsMissing_FailsNamingTheBlob()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        // Blob storage is shared by all repositories of a registry, so damaging it needs a registry of its own.
        await using var server = await RegistryServer.StartAsync();
        await packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"]);
        var reference = $"{server.Host}/{registry.NewRepository("missingblob")}:1";
        await packages.PushAsync(dir["packed"], reference);
        var layer = (await LocalPackage.OpenAsync(dir["packed"], CancellationToken.None)).Layer;
        File.Delete(server.BlobDataPath(layer.Digest));

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync(reference, dir["out"]));

        Assert.Contains(layer.Digest, error.Message);
        Assert.Contains("404", error.Message);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public async Task Push_LayoutWhoseBlobIsMissing_FailsBeforeUploadingTheManifest()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        await packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"]);
        var layer = (await LocalPackage.OpenAsync(dir["packed"], CancellationToken.None)).Layer;
        File.Delete(Path.Combine(dir["packed/blobs/sha256"], Digest.Hex(layer.Digest)));
        var reference = $"{registry.Server.Host}/{registry.NewRepository("localmissing")}:1";

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PushAsync(dir["packed"], reference));

        Assert.Contains(layer.Digest, error.Message);
        Assert.Contains("missing", error.Message);
        var manifestLookup = await Assert.ThrowsAsync<PackageException>(() => packages.Client(reference).GetManifestAsync("1", CancellationToken.None));
        Assert.Contains("404", manifestLookup.Message);
    }

    [Fact]
    public async Task Pull_PackageWhoseLayerIsNotOnnx_IsRefusedWithOnnxRuntimesError()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var notOnnx = "this is a README, not a model\n"u8.ToArray();
        var reference = $"{registry.Server.Host}/{registry.NewRepository("notonnx")}:1";
        await CraftedPackage.PushAsync(packages, dir, reference, MediaTypes.ModelConfig, CraftedPackage.ModelConfigFor(notOnnx),
            new CraftedPackage.Layer(MediaTypes.WeightRaw, notOnnx, "model.onnx"));

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync(reference, dir["out"]));

        Assert.Contains("is not a valid ONNX model", error.Message);
        Assert.Contains("ONNX Runtime", error.Message);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public async Task Pull_ContainerImageThatIsNotAModelPackage_IsRefused()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var reference = $"{registry.Server.Host}/{registry.NewRepository("image")}:1";
        await CraftedPackage.PushAsync(packages, dir, reference, "application/vnd.oci.image.config.v1+json", "{}"u8.ToArray(),
            new CraftedPackage.Layer("application/vnd.oci.image.layer.v1.tar", new byte[1024]));

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync(reference, dir["out"]));

        Assert.Contains("is not a model package", error.Message);
        Assert.Contains("application/vnd.oci.image.config.v1+json", error.Message);
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Theory]
    [InlineData("../escaped.onnx")]
    [InlineData("/tmp/absolute.onnx")]
    [InlineData("models/../../escaped.onnx")]
    public async Task Pull_LayerFileNameOutsideTheOutput_IsRefused(string title)
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = SampleModelCatalog.Mlp();
        var reference = $"{registry.Server.Host}/{registry.NewRepository("pathescape")}:1";
        await CraftedPackage.PushAsync(packages, dir, reference, MediaTypes.ModelConfig, CraftedPackage.ModelConfigFor(onnx, title),
            new CraftedPackage.Layer(MediaTypes.WeightRaw, onnx, title));
        Directory.CreateDirectory(dir["parent"]);

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync(reference, dir["parent/out"]));

        Assert.Contains(title, error.Message);
        Assert.Empty(Leftovers.In(dir["parent"]));
        Assert.False(File.Exists(dir["escaped.onnx"]));
        Assert.False(File.Exists("/tmp/absolute.onnx"));
    }
}
