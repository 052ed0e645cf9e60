using System.Formats.Tar;
using System.IO.Compression;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>ModelPack archive layers (<c>weight.v1.tar</c>, <c>+gzip</c>): unpacked into the cache, entries kept inside the output.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ArchiveLayerTests(RegistryFixture registry)
{
    [Theory]
    [InlineData(MediaTypes.WeightTar)]
    [InlineData(MediaTypes.WeightTarGzip)]
    public async Task Pull_ArchiveLayer_UnpacksTheModel(string mediaType)
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = SampleModelCatalog.Mlp();
        var archive = Archive(mediaType == MediaTypes.WeightTarGzip, ("weights/", null), ("weights/mlp.onnx", onnx), ("weights/README", "notes"u8.ToArray()));
        var reference = $"{registry.Server.Host}/{registry.NewRepository("archive")}:1";
        await CraftedPackage.PushAsync(packages, dir, reference, MediaTypes.ModelConfig, CraftedPackage.ModelConfigFor(onnx, "mlp.onnx"),
            new CraftedPackage.Layer(mediaType, archive, "weights"));

        var pulled = await packages.PullAsync(reference, dir["pulled"]);

        Assert.Equal(onnx, await File.ReadAllBytesAsync(dir["pulled/weights/mlp.onnx"]));
        Assert.Equal("notes", await File.ReadAllTextAsync(dir["pulled/weights/README"]));
        Assert.Equal(onnx, await File.ReadAllBytesAsync(pulled.CachedModelPath));
    }

    public static TheoryData<string, TarEntryType> HostileEntries => new()
    {
        { "../escaped.onnx", TarEntryType.RegularFile },
        { "/tmp/absolute-from-archive.onnx", TarEntryType.RegularFile },
        { "weights/../../escaped.onnx", TarEntryType.RegularFile },
        { "weights/link.onnx", TarEntryType.SymbolicLink },
    };

    [Theory]
    [MemberData(nameof(HostileEntries))]
    public async Task Pull_ArchiveWithEscapingPathOrLink_IsRefusedLeavingNothing(string entryName, TarEntryType type)
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var onnx = SampleModelCatalog.Mlp();
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            var entry = new PaxTarEntry(type, entryName);
            if (type == TarEntryType.SymbolicLink) entry.LinkName = "/etc/passwd";
            else entry.DataStream = new MemoryStream(onnx);
            await writer.WriteEntryAsync(entry);
        }
        var reference = $"{registry.Server.Host}/{registry.NewRepository("hostile")}:1";
        await CraftedPackage.PushAsync(packages, dir, reference, MediaTypes.ModelConfig, CraftedPackage.ModelConfigFor(onnx),
            new CraftedPackage.Layer(MediaTypes.WeightTar, tar.ToArray(), "weights"));
        Directory.CreateDirectory(dir["parent"]);

        var error = await Assert.ThrowsAsync<PackageException>(() => packages.PullAsync(reference, dir["parent/out"]));

        Assert.Contains(entryName, error.Message);
        Assert.Empty(Leftovers.In(dir["parent"]));
        Assert.Empty(Leftovers.In(Path.Combine(packages.Cache.Root, "unpacked")));
        Assert.False(File.Exists(dir["escaped.onnx"]));
        Assert.False(File.Exists("/tmp/absolute-from-archive.onnx"));
    }

    private static byte[] Archive(bool gzip, params (string Name, byte[]? Content)[] entries)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, leaveOpen: true))
            foreach (var (name, content) in entries)
                writer.WriteEntry(content is null
                    ? new PaxTarEntry(TarEntryType.Directory, name)
                    : new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
        if (!gzip) return tar.ToArray();
        using var compressed = new MemoryStream();
        using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(tar.ToArray());
        return compressed.ToArray();
    }
}
