using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// Opens an ONNX file in ONNX Runtime on the CPU, to check it is a model and to read its signature, and runs the
/// offline graph optimisation. Kept apart from the serving session code: packaging only needs metadata.
/// </summary>
internal static class OnnxModelReader
{
    /// <summary>Loads the model and returns its signature; a file ONNX Runtime refuses raises a <see cref="PackageException"/> with its error.</summary>
    public static ModelSignature ReadSignature(string onnxPath)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = Open(onnxPath, options);
        return new ModelSignature(
            session.InputMetadata.Select(kv => Spec(kv.Key, kv.Value)).ToList(),
            session.OutputMetadata.Select(kv => Spec(kv.Key, kv.Value)).ToList());
    }

    /// <summary>
    /// Runs ONNX Runtime's offline graph optimisation (extended unless another <paramref name="level"/> is asked for)
    /// and writes the optimised model to <paramref name="outputPath"/>.
    /// </summary>
    public static void Optimize(string onnxPath, string outputPath, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = level,
            OptimizedModelFilePath = outputPath,
        };
        using var session = Open(onnxPath, options);
        if (!File.Exists(outputPath)) throw new PackageException($"ONNX Runtime did not write the optimised model to {outputPath}");
    }

    private static InferenceSession Open(string onnxPath, SessionOptions options)
    {
        try
        {
            return new InferenceSession(onnxPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new PackageException($"'{Path.GetFileName(onnxPath)}' is not a valid ONNX model: ONNX Runtime says: {e.Message}", e);
        }
    }

    private static TensorSpec Spec(string name, NodeMetadata meta)
    {
        if (meta.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
            return new TensorSpec(name, meta.OnnxValueType.ToString(), []);
        var shape = meta.Dimensions.Select(d => d < 0 ? -1L : d).ToList();
        return new TensorSpec(name, Datatype(meta.ElementDataType), shape);
    }

    /// <summary>The Open Inference Protocol name of an ONNX tensor element type (the serving code's own mapping).</summary>
    public static string Datatype(TensorElementType type) =>
        Inference.Datatype.FromOrt(type)?.Name ?? type.ToString().ToUpperInvariant();
}
