using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>The measured difference between two models: per-output drift and the time per sample of each, on this machine's CPU.</summary>
internal sealed record ComparisonResult(IReadOnlyList<OutputDrift> Outputs, double OriginalMsPerSample, double CompressedMsPerSample);

/// <summary>
/// Runs the original and the compressed model in ONNX Runtime (CPU, full graph optimisation, as serving does) on the same
/// inputs, compares every output, and times both in alternating rounds so that load on the machine hits both alike.
/// </summary>
internal static class ModelComparison
{
    private const int MinimumRounds = 5;
    private static readonly TimeSpan TimingBudget = TimeSpan.FromSeconds(2);

    /// <param name="classScoreOutputs">The outputs the model computes with a Softmax: class scores along their last axis whatever their rank.</param>
    public static ComparisonResult Compare(string originalPath, string compressedPath, ComparisonInputs inputs, IReadOnlySet<string>? classScoreOutputs = null)
    {
        using var original = Open(originalPath, "original");
        using var compressed = Open(compressedPath, "compressed");
        var values = inputs.Samples.Select(s => s.Select(t => t.ToOnnxValue()).ToList()).ToList();
        var comparisons = new Dictionary<string, OutputComparison>(StringComparer.Ordinal);
        foreach (var sample in values)
        {
            using var a = Run(original, sample, "original");
            using var b = Run(compressed, sample, "compressed");
            foreach (var outputA in a)
            {
                var outputB = b.FirstOrDefault(o => o.Name == outputA.Name)
                    ?? throw new PackageException($"the compressed model has no output '{outputA.Name}'");
                if (ToDoubles(outputA) is not var (valuesA, shape, floating) || ToDoubles(outputB) is not var (valuesB, _, _)) continue;
                if (!comparisons.TryGetValue(outputA.Name, out var comparison)) comparisons[outputA.Name] = comparison = new OutputComparison(outputA.Name, classScoreOutputs?.Contains(outputA.Name) == true);
                comparison.Add(valuesA, valuesB, shape, floating);
            }
        }
        var (originalMs, compressedMs) = Time(original, compressed, values);
        return new ComparisonResult(comparisons.Values.Select(c => c.Result()).ToList(), originalMs, compressedMs);
    }

    private static (double, double) Time(InferenceSession original, InferenceSession compressed, List<List<NamedOnnxValue>> samples)
    {
        var roundsA = new List<double>();
        var roundsB = new List<double>();
        var total = Stopwatch.StartNew();
        for (var round = 0; round < MinimumRounds || total.Elapsed < TimingBudget; round++)
        {
            roundsA.Add(TimeRound(original, samples));
            roundsB.Add(TimeRound(compressed, samples));
            if (round >= 200) break;
        }
        return (Median(roundsA) / samples.Count, Median(roundsB) / samples.Count);
    }

    private static double TimeRound(InferenceSession session, List<List<NamedOnnxValue>> samples)
    {
        var watch = Stopwatch.StartNew();
        foreach (var sample in samples) session.Run(sample).Dispose();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static InferenceSession Open(string path, string which)
    {
        try
        {
            return new InferenceSession(path, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });
        }
        catch (OnnxRuntimeException e)
        {
            throw new PackageException($"ONNX Runtime cannot load the {which} model: {e.Message}", e);
        }
    }

    private static IDisposableReadOnlyCollection<DisposableNamedOnnxValue> Run(InferenceSession session, List<NamedOnnxValue> inputs, string which)
    {
        try
        {
            return session.Run(inputs);
        }
        catch (OnnxRuntimeException e)
        {
            throw new PackageException($"the {which} model failed to run on the comparison inputs: {e.Message}", e);
        }
    }

    /// <summary>The output's values as doubles, or null for types that have no numeric difference (strings, maps).</summary>
    private static (double[] Values, long[] Shape, bool FloatingPoint)? ToDoubles(DisposableNamedOnnxValue output) =>
        output.Value switch
        {
            Tensor<float> t => (t.Select(v => (double)v).ToArray(), Dims(t.Dimensions), true),
            Tensor<double> t => (t.ToArray(), Dims(t.Dimensions), true),
            Tensor<Float16> t => (t.Select(v => (double)(float)v).ToArray(), Dims(t.Dimensions), true),
            Tensor<long> t => (t.Select(v => (double)v).ToArray(), Dims(t.Dimensions), false),
            Tensor<int> t => (t.Select(v => (double)v).ToArray(), Dims(t.Dimensions), false),
            Tensor<bool> t => (t.Select(v => v ? 1.0 : 0.0).ToArray(), Dims(t.Dimensions), false),
            Tensor<byte> t => (t.Select(v => (double)v).ToArray(), Dims(t.Dimensions), false),
            Tensor<sbyte> t => (t.Select(v => (double)v).ToArray(), Dims(t.Dimensions), false),
            _ => null,
        };

    private static long[] Dims(ReadOnlySpan<int> dims) => dims.ToArray().Select(d => (long)d).ToArray();
}
