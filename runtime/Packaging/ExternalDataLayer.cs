using System.Formats.Tar;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// A model with ONNX external data (the usual form above 2 GB) is packed as one ModelPack archive layer
/// (<c>…weight.v1.tar</c>) holding the <c>.onnx</c> file and its data files at the paths the model names, so that
/// pull unpacks them side by side and ONNX Runtime finds them. Entries carry fixed times and modes: the same files
/// always give the same layer digest.
/// </summary>
internal static class ExternalDataLayer
{
    public static async Task<OciDescriptor> WriteAsync(OciLayout layout, string modelFile, string fileName,
        IReadOnlyList<string> sideFiles, string scratchDir, CancellationToken ct)
    {
        var modelDir = Path.GetDirectoryName(Path.GetFullPath(modelFile))!;
        var tarPath = Path.Combine(scratchDir, $".layer-{Guid.NewGuid():N}.tar");
        try
        {
            await using (var output = File.Create(tarPath))
            await using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: false))
            {
                await AddAsync(writer, modelFile, fileName, ct);
                foreach (var side in sideFiles.OrderBy(f => f, StringComparer.Ordinal))
                    await AddAsync(writer, side, Path.GetRelativePath(modelDir, side).Replace('\\', '/'), ct);
            }
            return await layout.CopyBlobAsync(MediaTypes.WeightTar, tarPath, ct,
                new Dictionary<string, string> { [MediaTypes.TitleAnnotation] = fileName });
        }
        finally
        {
            File.Delete(tarPath);
        }
    }

    private static async Task AddAsync(TarWriter writer, string path, string entryName, CancellationToken ct)
    {
        await using var data = File.OpenRead(path);
        var entry = new PaxTarEntry(TarEntryType.RegularFile, entryName)
        {
            ModificationTime = DateTimeOffset.UnixEpoch,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            DataStream = data,
        };
        await writer.WriteEntryAsync(entry, ct);
    }
}
