using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Store;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>A model on a volume (what pvc:// becomes in the pod) is checked against <c>--sha256</c> like a download.</summary>
public sealed class LocalFileSourceTests
{
    [Fact]
    public async Task LocalFile_WithMatchingSha256_Resolves()
    {
        using var dir = new TempDir();
        var path = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());
        var (digest, _) = await Digest.OfFileAsync(path, CancellationToken.None);

        var resolved = await ModelSources.ResolveAsync(path, new ModelSourceOptions(Sha256: digest), CancellationToken.None);

        Assert.Equal((path, digest), (resolved.OnnxPath, resolved.Digest));
    }

    [Fact]
    public async Task LocalFile_WithAnotherSha256_IsRefusedNamingBoth()
    {
        using var dir = new TempDir();
        var path = dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp());
        var pinned = "sha256:" + new string('a', 64);

        var error = await Assert.ThrowsAnyAsync<PackageException>(() =>
            ModelSources.ResolveAsync(path, new ModelSourceOptions(Sha256: pinned), CancellationToken.None));

        Assert.Contains(pinned, error.Message);
        Assert.Contains(path, error.Message);
    }
}
