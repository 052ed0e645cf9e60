using System.Text.Json;
using ModelOperator.Runtime.Packaging.Onnx;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>
/// Writes the compressed variant of a model and measures it against the original on the same inputs; refuses one whose
/// drift exceeds the limit asked for, whose top-1 agreement falls short of the one asked for, or whose inputs and
/// outputs differ from the original's.
/// </summary>
internal static class ModelCompressor
{
    public static CompressionReport Compress(string sourcePath, string targetPath, CompressionRequest request,
        ModelSignature signature, IReadOnlyDictionary<string, long[]>? inputShapes, string sourceSha256, long sourceSize)
    {
        var classScores = ClassScoreOutputs(OnnxModel.Load(sourcePath).Graph);
        var model = request.Method == CompressionMethod.Int8 ? FoldedForInt8(sourcePath, targetPath) : OnnxModel.Load(sourcePath);
        RewriteOutcome outcome;
        try
        {
            outcome = request.Method == CompressionMethod.Int8 ? Int8Quantizer.Quantize(model) : Fp16Converter.Convert(model);
            if (request.Method == CompressionMethod.Int8)
                outcome = outcome with { Done = [FoldedNote, .. outcome.Done ?? []] };
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
        var comparison = ModelComparison.Compare(sourcePath, targetPath, inputs, classScores);
        var size = new FileInfo(targetPath).Length;
        var report = new CompressionReport(request.MethodName, sourceSha256, sourceSize, size,
            Math.Round((double)size / sourceSize, 4),
            Math.Round(comparison.OriginalMsPerSample / comparison.CompressedMsPerSample, 3),
            Math.Round(comparison.OriginalMsPerSample, 4), Math.Round(comparison.CompressedMsPerSample, 4),
            "cpu", inputs.Source, comparison.Outputs, outcome.Rewritten, outcome.LeftFloat,
            request.Method == CompressionMethod.Fp16
                ? "fp16 is meant for GPU nodes; its speed ratio here is on this machine's CPU, where ONNX Runtime has few float16 kernels and casts around the rest"
                : null, outcome.Done is { Count: > 0 } done ? done : null);
        if (request.MaxDrift is { } limit && report.MaxDrift > limit)
        {
            var worst = report.Outputs.MaxBy(o => o.MaxAbsDifference)!;
            throw new PackageException(
                $"the {request.MethodName} model drifts {worst.MaxAbsDifference:G4} on output '{worst.Name}', over --max-drift {limit:G4}; no package was written");
        }
        if (request.MinAgreement is { } minimum)
        {
            var scored = report.Outputs.Where(o => o.Top1Agreement is not null).ToList();
            if (scored.Count == 0)
                throw new PackageException($"--min-agreement {minimum:G4} needs an output of class scores (floating point, two or more classes along the last axis, " +
                    $"of rank 2 or made by a Softmax); this model has none among {string.Join(", ", report.Outputs.Select(o => $"'{o.Name}'"))}; no package was written");
            var worst = scored.MinBy(o => o.Top1Agreement)!;
            if (worst.Top1Agreement < minimum)
                throw new PackageException(
                    $"the {request.MethodName} model agrees with the original on the top-1 class of {worst.Top1Agreement:P1} of {worst.Rows} rows of output '{worst.Name}', under --min-agreement {minimum:G4}; no package was written");
        }
        return report;
    }

    private const string FoldedNote = "ONNX Runtime's basic graph optimisations applied first (constant folding; a BatchNormalization, Add or Mul after a Conv folded into its weights), " +
        "so every weight is quantised as ONNX Runtime would compute with it";

    /// <summary>
    /// The model after ONNX Runtime's basic, provider-independent graph optimisations (standard ONNX operators only, the
    /// opset unchanged): a weight computed from constants by any operator reaches the quantiser as the initializer ONNX
    /// Runtime would compute, and a BatchNormalization after a Conv is folded into the Conv's weights before they are
    /// rounded to int8, so the rounding applies to the weights actually used. Read into memory, the temporary file is removed.
    /// </summary>
    private static OnnxModel FoldedForInt8(string sourcePath, string targetPath)
    {
        var folded = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(targetPath))!, ".folded-" + Path.GetFileName(targetPath));
        try
        {
            OnnxModelReader.Optimize(sourcePath, folded, Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC);
            var bytes = File.ReadAllBytes(folded);
            return OnnxModel.Parse(bytes, Path.GetDirectoryName(Path.GetFullPath(sourcePath)));
        }
        finally
        {
            File.Delete(folded);
        }
    }

    /// <summary>The graph outputs made by a Softmax or LogSoftmax (directly or through Identity): class scores along the last axis.</summary>
    private static HashSet<string> ClassScoreOutputs(OnnxGraph graph)
    {
        var producers = new Dictionary<string, ProtoMessage>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
            foreach (var output in OnnxNode.Outputs(node)) producers[output] = node;
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in graph.Outputs.Select(o => OnnxGraph.NameOf(o, OnnxFields.ValueInfoName)))
        {
            var name = output;
            for (var hops = 0; hops < 8 && producers.TryGetValue(name, out var node); hops++)
            {
                var op = OnnxNode.OpType(node);
                if (op is "Softmax" or "LogSoftmax") { result.Add(output); break; }
                if (op != "Identity" || OnnxNode.Inputs(node) is not [var input]) break;
                name = input;
            }
        }
        return result;
    }
}
