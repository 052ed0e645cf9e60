using System.Text.RegularExpressions;
using ModelOperator.Runtime.Packaging.Compression;

namespace ModelOperator.Runtime.Packaging;

/// <summary>What to pack: the ONNX file, its name and version, optional metadata, and where the OCI layout goes.</summary>
internal sealed record PackRequest(
    string OnnxPath, string Name, string Version, string OutputDir,
    string? Description = null, string? License = null, IReadOnlyDictionary<string, string>? Labels = null,
    bool Optimize = false, bool Force = false,
    Compression.CompressionRequest? Compression = null, IReadOnlyDictionary<string, long[]>? InputShapes = null);

/// <summary>A package written by <see cref="ModelPacker"/>.</summary>
internal sealed record PackResult(string OutputDir, string ManifestDigest, ModelConfig Config, long ModelSize);

/// <summary>
/// Writes one ONNX model as a ModelPack artifact in an OCI image layout. The model is loaded in ONNX Runtime first,
/// so a corrupt file is refused with its error; the layout is built beside the target and moved in when complete.
/// </summary>
internal static partial class ModelPacker
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex NamePattern();

    public static async Task<PackResult> PackAsync(PackRequest request, CancellationToken ct)
    {
        CheckName(request.Name, "name");
        CheckName(request.Version, "version");
        if (Directory.Exists(request.OnnxPath)) throw new PackageException($"'{request.OnnxPath}' is a directory, not an ONNX model file");
        if (!File.Exists(request.OnnxPath)) throw new PackageException($"model file not found: {request.OnnxPath}");
        StagedDirectory.EnsureReplaceable(request.OutputDir, request.Force);
        var signature = OnnxModelReader.ReadSignature(request.OnnxPath);

        using var staged = new StagedDirectory(request.OutputDir, request.Force);
        var layout = new OciLayout(staged.Path);
        var fileName = Path.GetFileName(request.OnnxPath);
        var modelFile = request.OnnxPath;
        ModelOptimization? optimization = null;
        if (request.Optimize)
        {
            var (originalDigest, _) = await Digest.OfFileAsync(request.OnnxPath, ct);
            modelFile = Path.Combine(staged.Path, ".optimized.onnx");
            OnnxModelReader.Optimize(request.OnnxPath, modelFile);
            signature = OnnxModelReader.ReadSignature(modelFile);
            optimization = new ModelOptimization("onnxruntime", "extended", Digest.Hex(originalDigest));
        }
        CheckInputShapes(request.InputShapes, signature);
        CompressionReport? compression = null;
        if (request.Compression is { } compress)
        {
            var (sourceDigest, _) = await Digest.OfFileAsync(request.OnnxPath, ct);
            var sourceSize = new FileInfo(request.OnnxPath).Length + ExternalFiles(request.OnnxPath).Sum(f => new FileInfo(f).Length);
            var compressedFile = Path.Combine(staged.Path, ".compressed.onnx");
            compression = ModelCompressor.Compress(modelFile, compressedFile, compress, signature, request.InputShapes,
                Digest.Hex(sourceDigest), sourceSize);
            if (request.Optimize) File.Delete(modelFile);
            modelFile = compressedFile;
        }

        var sideFiles = ExternalFiles(modelFile);
        var title = new Dictionary<string, string> { [MediaTypes.TitleAnnotation] = fileName };
        var layer = sideFiles.Count == 0
            ? await layout.CopyBlobAsync(MediaTypes.WeightRaw, modelFile, ct, title)
            : await ExternalDataLayer.WriteAsync(layout, modelFile, fileName, sideFiles, staged.Path, ct);
        var (modelDigest, _) = await Digest.OfFileAsync(modelFile, ct);
        if (modelFile != request.OnnxPath) File.Delete(modelFile);

        var created = DateTimeOffset.UtcNow;
        var config = new ModelConfig(
            new ModelDescriptor(request.Name, request.Version, created, request.Description,
                request.License is null ? null : [request.License], request.Labels is { Count: > 0 } ? request.Labels : null),
            new ModelProperties("onnx", fileName, Digest.Hex(modelDigest), signature, optimization, compression,
                request.InputShapes is { Count: > 0 } ? request.InputShapes : null),
            new ModelFs("layers", [layer.Digest]));
        var configBlob = await layout.WriteBlobAsync(MediaTypes.ModelConfig, PackageJson.Serialize(config), ct);
        var manifest = new OciManifest(2, configBlob, [layer], MediaTypes.OciManifest, MediaTypes.ModelArtifact,
            new Dictionary<string, string> { ["org.opencontainers.image.created"] = created.ToString("yyyy-MM-ddTHH:mm:ssZ") });
        var manifestBlob = await layout.WriteBlobAsync(MediaTypes.OciManifest, PackageJson.Serialize(manifest), ct);
        await layout.WriteIndexAsync(manifestBlob with
        {
            ArtifactType = MediaTypes.ModelArtifact,
            Annotations = new Dictionary<string, string> { [OciLayout.RefNameAnnotation] = request.Version },
        }, ct);
        staged.Commit();
        return new PackResult(Path.GetFullPath(request.OutputDir), manifestBlob.Digest, config, layer.Size);
    }

    /// <summary>The external data files <paramref name="onnxPath"/> refers to (none for a self-contained model).</summary>
    private static IReadOnlyList<string> ExternalFiles(string onnxPath)
    {
        var model = Onnx.OnnxModel.Load(onnxPath);
        var dir = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        return model.ExternalDataLocations().Select(location =>
        {
            var path = PathGuard.ResolveInside(dir, location);
            return File.Exists(path) ? path : throw new PackageException($"the model's external data file '{location}' is missing beside it");
        }).ToList();
    }

    private static void CheckInputShapes(IReadOnlyDictionary<string, long[]>? shapes, ModelSignature signature)
    {
        foreach (var (name, shape) in shapes ?? new Dictionary<string, long[]>())
        {
            var input = signature.Inputs.FirstOrDefault(i => i.Name == name)
                ?? throw new PackageException($"--input-shape names '{name}', which is not an input of the model (its inputs: {string.Join(", ", signature.Inputs.Select(i => i.Name))})");
            SyntheticInputs.Resolve(input, shapes);
        }
    }

    private static void CheckName(string value, string what)
    {
        if (!NamePattern().IsMatch(value))
            throw new PackageException($"invalid {what} '{value}': use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
}
