using System.Formats.Tar;
using System.IO.Compression;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// Unpacks a ModelPack archive weight layer (<c>…weight.v1.tar</c>, <c>…weight.v1.tar+gzip</c>), as other ModelPack tools
/// write them. Every entry must be a plain file or directory whose path stays inside the target: an absolute path,
/// <c>..</c>, or a link is refused and nothing is left behind.
/// </summary>
internal static class ArchiveLayer
{
    public static bool IsArchive(string mediaType) => mediaType is MediaTypes.WeightTar or MediaTypes.WeightTarGzip;

    /// <summary>Extracts <paramref name="archivePath"/> into <paramref name="targetDir"/> (which must not exist yet) and returns the ONNX file in it.</summary>
    public static async Task<string> ExtractAsync(string archivePath, string mediaType, string targetDir, string where, CancellationToken ct)
    {
        var staging = targetDir.TrimEnd('/') + $".partial-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            await using (var file = File.OpenRead(archivePath))
            await using (Stream input = mediaType == MediaTypes.WeightTarGzip ? new GZipStream(file, CompressionMode.Decompress) : file)
            {
                using var reader = new TarReader(input);
                while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
                {
                    var path = PathGuard.ResolveInside(staging, entry.Name);
                    switch (entry.EntryType)
                    {
                        case TarEntryType.Directory:
                            Directory.CreateDirectory(path);
                            break;
                        case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                            await using (var output = File.Create(path))
                                if (entry.DataStream is { } data) await data.CopyToAsync(output, ct);
                            break;
                        case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                            break;
                        default:
                            throw new PackageException($"the archive layer of {where} holds '{entry.Name}' of type {entry.EntryType}; only plain files and directories are accepted");
                    }
                }
            }
            var models = Directory.GetFiles(staging, "*.onnx", SearchOption.AllDirectories);
            if (models.Length != 1)
                throw new PackageException($"the archive layer of {where} holds {models.Length} .onnx files; a model package holds exactly one");
            var relative = Path.GetRelativePath(staging, models[0]);
            if (Directory.Exists(targetDir)) Directory.Delete(targetDir, recursive: true);
            Directory.Move(staging, targetDir);
            return Path.Combine(targetDir, relative);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new PackageException($"the archive layer of {where} is not a valid tar archive: {e.Message}", e);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }
}
