using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>
/// What <see cref="LargeJsonInput"/> measured, as medians of interleaved rounds with each round's figure kept for the spread.
/// </summary>
internal sealed record LargeJsonInputResult(string Model, long InputElements, int JsonBytes, int BinaryBytes, int PythonJsonBytes,
    IReadOnlyList<double> Raw, IReadOnlyList<double> NoopJson, IReadOnlyList<double> ServedJson, IReadOnlyList<double> NoopBinary, IReadOnlyList<double> ServedBinary,
    IReadOnlyList<double> NoopPythonJson, IReadOnlyList<double> ServedPythonJson, IReadOnlyList<LoadResult> Last, string LoadBefore, string LoadAfter)
{
    /// <summary>Each round's served JSON as a fraction of that round's JSON limit, 1/(1/raw + 1/noop JSON).</summary>
    public IReadOnlyList<double> JsonFractions => FractionsOfLimit(ServedJson, NoopJson);

    /// <summary>Each round's served JSON in Python's seventeen-digit form as a fraction of that round's limit for the same body.</summary>
    public IReadOnlyList<double> PythonJsonFractions => FractionsOfLimit(ServedPythonJson, NoopPythonJson);

    /// <summary>Each round's served binary as a fraction of that round's binary limit.</summary>
    public IReadOnlyList<double> BinaryFractions => FractionsOfLimit(ServedBinary, NoopBinary);

    private IReadOnlyList<double> FractionsOfLimit(IReadOnlyList<double> served, IReadOnlyList<double> noop) =>
        [.. Enumerable.Range(0, Raw.Count).Select(i => served[i] * (1 / Raw[i] + 1 / noop[i]))];
}

/// <summary>
/// The large-input case of <c>make bench</c>: a model whose input is a 27,648-float image (1×3×48×192), where parsing a
/// third of a megabyte of JSON, not the model, decides the served rate. Raw ONNX Runtime (the better of default and
/// server settings), the noop endpoint reading the same JSON and binary bodies, and served JSON and binary, interleaved
/// round after round on one server; and JSON as Python clients write it, with seventeen-digit numbers.
/// </summary>
internal static class LargeJsonInput
{
    public static async Task<LargeJsonInputResult> MeasureAsync(string modelPath, ServingBenchmarkPlan plan, CancellationToken cancellationToken)
    {
        var name = Server.ServedModel.NameFromReference(modelPath);
        using var model = OnnxModel.Load(modelPath, DeviceKind.Cpu, SessionTuning.OrtDefaults());
        var runs = Server.ServeOptions.DefaultConcurrentRuns;
        using var tuned = OnnxModel.Load(modelPath, DeviceKind.Cpu, SessionTuning.ForServing(runs));
        var inputs = SyntheticInputs.Create(model, 1);
        var elements = inputs.Sum(i => TensorData.ElementCountOf(i.Shape));
        var json = InferRequestBodies.Json($"v2/models/{name}/infer", inputs);
        var binary = InferRequestBodies.Binary($"v2/models/{name}/infer", inputs, model.OutputNames);
        var python = InferRequestBodies.Json($"v2/models/{name}/infer", inputs, floatsAsDoubles: true);
        foreach (var t in inputs) t.Dispose();
        ModelBenchmark.Run(model, new BenchmarkPlan(1, 100, 1), "local", cancellationToken: cancellationToken);

        await using var server = await ServerProcess.StartAsync(["--model", modelPath, "--bench-iterations", "0", "--enable-noop-endpoint", "--device", "cpu"],
            plan.LogFile, cancellationToken);
        var loadBefore = LoadAverage.Describe();
        var load = new HttpLoadGenerator(server.BaseAddress);
        LoadRequest[] kinds = [json with { Path = "v2/_noop" }, json, binary with { Path = "v2/_noop" }, binary, python with { Path = "v2/_noop" }, python];
        var http = kinds.Select(_ => new List<LoadResult>()).ToArray();
        var raw = new List<double>();
        for (var round = 0; round < plan.Rounds; round++)
        {
            var defaults = ModelBenchmark.Run(model, new BenchmarkPlan(1, 0, int.MaxValue, plan.Duration, plan.Clients), "local", cancellationToken: cancellationToken).Throughput;
            var serverLike = ModelBenchmark.Run(tuned, new BenchmarkPlan(1, 0, int.MaxValue, plan.Duration, runs), "local", cancellationToken: cancellationToken).Throughput;
            raw.Add(Math.Max(defaults, serverLike));
            for (var k = 0; k < kinds.Length; k++)
                http[k].Add(await load.RunAsync(kinds[k], plan.Clients, plan.Warmup, plan.Duration, cancellationToken));
        }
        IReadOnlyList<double> Rates(int k) => [.. http[k].Select(r => r.RequestsPerSecond)];
        return new LargeJsonInputResult(name, elements, json.Body.Length, binary.Body.Length, python.Body.Length, raw, Rates(0), Rates(1), Rates(2), Rates(3), Rates(4), Rates(5),
            [.. http.Select(h => h[^1])], loadBefore, LoadAverage.Describe());
    }

    /// <summary>Writes the medians, each with the lowest and highest round, so a noisy machine shows as a wide range.</summary>
    public static void Report(LargeJsonInputResult r, TextWriter output)
    {
        output.WriteLine($"Large JSON input: {r.Model}, {r.InputElements:N0} FP32 elements per request (JSON body {r.JsonBytes:N0} B, binary {r.BinaryBytes:N0} B); median [lowest-highest round]; {r.LoadBefore} before, {r.LoadAfter} after");
        Row(output, "raw ONNX Runtime (best settings)", r.Raw);
        Row(output, "noop, JSON body", r.NoopJson);
        Row(output, "served /infer, JSON", r.ServedJson);
        Row(output, "noop, binary body", r.NoopBinary);
        Row(output, "served /infer, binary", r.ServedBinary);
        Row(output, $"noop, Python's JSON ({r.PythonJsonBytes:N0} B)", r.NoopPythonJson);
        Row(output, "served /infer, Python's JSON", r.ServedPythonJson);
        output.WriteLine($"  served JSON   {Median(r.JsonFractions):F2} of its JSON limit   [{r.JsonFractions.Min():F2}-{r.JsonFractions.Max():F2}]   (target >= 0.60)");
        output.WriteLine($"  served Python's JSON (float32 widened to double, 17 digits) {Median(r.PythonJsonFractions):F2} of its limit [{r.PythonJsonFractions.Min():F2}-{r.PythonJsonFractions.Max():F2}]");
        output.WriteLine($"  served binary {Median(r.BinaryFractions):F2} of its binary limit [{r.BinaryFractions.Min():F2}-{r.BinaryFractions.Max():F2}]");
    }

    private static void Row(TextWriter output, string label, IReadOnlyList<double> values) =>
        output.WriteLine($"  {label,-34} {Median(values),9:F0} /s  [{values.Min():F0}-{values.Max():F0}]");

    private static double Median(IReadOnlyList<double> values) => values.Order().ElementAt(values.Count / 2);
}
