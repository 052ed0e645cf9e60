using System.Text;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>A package made by another ModelPack tool: its config has the spec's fields but not our signature; it is accepted and the signature read from the model.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ForeignPackageTests(RegistryFixture registry)
{
    // The shape of a config other ModelPack tools write: descriptor, config (format, precision…), modelfs — no fileName, sha256 or signature.
    private static byte[] ForeignConfig(byte[] layer) => Encoding.UTF8.GetBytes($$$"""
        {"descriptor":{"name":"foreign-mlp","version":"0.3","createdAt":"2025-06-01T10:00:00Z","vendor":"someone"},
         "config":{"format":"onnx","precision":"float32","paramSize":"340"},
         "modelfs":{"type":"layers","diffIds":["{{{Digest.Of(layer)}}}"]}}
        """);

    [Fact]
    public async Task Pull_ForeignPackage_ReadsTheSignatureFromTheModel()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = SampleModelCatalog.Mlp();
        var reference = $"{registry.Server.Host}/{registry.NewRepository("foreign")}:0.3";
        await CraftedPackage.PushAsync(packages, dir, reference, MediaTypes.ModelConfig, ForeignConfig(onnx),
            new CraftedPackage.Layer(MediaTypes.WeightRaw, onnx, "mlp.onnx"));

        var pulled = await packages.PullAsync(reference, dir["pulled"]);

        Assert.Equal(("foreign-mlp", "0.3"), (pulled.Config.Descriptor.Name, pulled.Config.Descriptor.Version));
        Assert.True(pulled.Config.SignatureFromModel);
        Assert.Equal("features", Assert.Single(pulled.Config.Config.Signature.Inputs).Name);
        Assert.Equal("scores", Assert.Single(pulled.Config.Config.Signature.Outputs).Name);
        Assert.Equal(onnx, await File.ReadAllBytesAsync(dir["pulled/mlp.onnx"]));

        var local = await PackageInspector.FromDirectoryAsync(dir["pulled"], CancellationToken.None);
        Assert.Contains("another ModelPack tool", local.ToTable());
        Assert.Equal("features", Assert.Single(local.Signature.Inputs).Name);
        var remote = await PackageInspector.FromRegistryAsync(packages.Client(reference), packages.Cache,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        Assert.Contains("another ModelPack tool", remote.ToTable());
    }
}
