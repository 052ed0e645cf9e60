using System.Text.Json;
using ModelOperator.Runtime.Packaging.Onnx;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>
/// Writes the compressed variant of a model and measures it against the original on the same inputs; refuses one whose
/// drift exceeds the limit asked for, or whose inputs and outputs differ from the original's.
/// </summary>
internal static class ModelCompressor
{
    public static CompressionReport Compress(string sourcePath, string targetPath, CompressionRequest request,
        ModelSignature signature, IReadOnlyDictionary<string, long[]>? inputShapes, string sourceSha256, long sourceSize)
    {
        var model = OnnxModel.Load(sourcePath);
        RewriteOutcome outcome;
        try
        {
            outcome = request.Method == CompressionMethod.Int8 ? Int8Quantizer.Quantize(model) : Fp16Converter.Convert(model);
        }
        catch (ProtoFormatException e)
        {
            throw new PackageException($"'{Path.GetFileName(sourcePath)}' could not be rewritten: {e.Message}", e);
        }
        ExternalData.Internalize(model);
        model.Save(targetPath);

        var compressedSignature = OnnxModelReader.ReadSignature(targetPath);
        if (JsonSerializer.Serialize(compressedSignature) != JsonSerializer.Serialize(signature))
            throw new PackageException($"the {request.MethodName} model's inputs or outputs differ from the original's; this is a bug in the rewrite");

        var inputs = request.CalibrationDir is { } dir
            ? CalibrationInputs.Load(dir, signature, inputShapes)
            : SyntheticInputs.Create(signature, inputShapes, request.Seed);
        var comparison = ModelComparison.Compare(sourcePath, targetPath, inputs);
        var size = new FileInfo(targetPath).Length;
        var report = new CompressionReport(request.MethodName, sourceSha256, sourceSize, size,
            Math.Round((double)size / sourceSize, 4),
            Math.Round(comparison.OriginalMsPerSample / comparison.CompressedMsPerSample, 3),
            Math.Round(comparison.OriginalMsPerSample, 4), Math.Round(comparison.CompressedMsPerSample, 4),
            "cpu", inputs.Source, comparison.Outputs, outcome.Rewritten, outcome.LeftFloat,
            request.Method == CompressionMethod.Fp16
                ? "fp16 is meant for GPU nodes; its speed ratio here is on this machine's CPU, where ONNX Runtime has few float16 kernels and casts around the rest"
                : null);
        if (request.MaxDrift is { } limit && report.MaxDrift > limit)
        {
            var worst = report.Outputs.MaxBy(o => o.MaxAbsDifference)!;
            throw new PackageException(
                $"the {request.MethodName} model drifts {worst.MaxAbsDifference:G4} on output '{worst.Name}', over --max-drift {limit:G4}; no package was written");
        }
        return report;
    }
}
