using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>Settings of <c>make bench</c>: the compute-bound model, the tiny models for batching (the first is the headline), clients and timing.</summary>
internal sealed record ServingBenchmarkPlan(string Model, IReadOnlyList<string> TinyModels, int Clients, int BatchClients, TimeSpan Warmup, TimeSpan Duration,
    int MaxBatch, double BatchDelayMs, string LogFile, int Rounds = 2, IReadOnlyList<string>? ServeArgs = null, string? LargeInputModel = null);

/// <summary>
/// The serving benchmark of <c>make bench</c>, all in one run on one machine: raw in-process ONNX Runtime, the noop
/// endpoint (transport ceiling), their combined limit, served binary, gRPC (raw contents) and JSON as fractions of it, the same
/// for a large (27,648-float) JSON input when one is given, and the gain of dynamic batching on one or more tiny models.
/// </summary>
internal static class ServingBenchmark
{
    public static async Task<int> RunAsync(ServingBenchmarkPlan plan, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"Serving benchmark (medians of {plan.Rounds} interleaved rounds): {Path.GetFileName(plan.Model)} at batch 1, {plan.Clients} clients; {Environment.ProcessorCount} cores; " +
            $"{plan.Duration.TotalSeconds:F0}s per measurement after {plan.Warmup.TotalSeconds:F1}s warm-up; {LoadAverage.Describe()}");

        var name = Server.ServedModel.NameFromReference(plan.Model);
        using var model = OnnxModel.Load(plan.Model, DeviceKind.Cpu, SessionTuning.OrtDefaults());
        var inputs = SyntheticInputs.Create(model, 1);
        var json = InferRequestBodies.Json($"v2/models/{name}/infer", inputs);
        var binary = InferRequestBodies.Binary($"v2/models/{name}/infer", inputs, model.OutputNames);
        var grpcRaw = GrpcInferRequests.Raw(name, inputs);
        foreach (var t in inputs) t.Dispose();
        ModelBenchmark.Run(model, new BenchmarkPlan(1, 200, 1), "local", cancellationToken: cancellationToken);
        // Also the server's own session settings, so that raw is the best in-process figure and no ratio flatters serving.
        var runs = Server.ServeOptions.DefaultConcurrentRuns;
        using var tuned = OnnxModel.Load(plan.Model, DeviceKind.Cpu, SessionTuning.ForServing(runs));

        double rawSingle, rawParallel, rawServerLike, noopBinary, servedBinary, noopJson, servedJson, servedGrpc;
        LoadResult[] last;
        await using (var server = await ServerProcess.StartAsync(["--model", plan.Model, "--bench-iterations", "0", "--enable-noop-endpoint", "--device", "cpu", .. plan.ServeArgs ?? []], plan.LogFile, cancellationToken))
        {
            var load = new HttpLoadGenerator(server.BaseAddress);
            var grpcLoad = new GrpcLoadGenerator(server.GrpcAddress);
            var grpc = new List<LoadResult>();
            LoadRequest[] kinds = [binary with { Path = "v2/_noop" }, binary, json with { Path = "v2/_noop" }, json];
            var http = kinds.Select(_ => new List<LoadResult>()).ToArray();
            var single = new List<double>();
            var parallel = new List<double>();
            var serverLike = new List<double>();
            // Short measurements interleaved round after round, then the median of each: other processes on a shared
            // machine steal cores at random moments, and interleaving exposes every kind to them alike.
            for (var round = 0; round < plan.Rounds; round++)
            {
                single.Add(ModelBenchmark.Run(model, new BenchmarkPlan(1, 0, int.MaxValue, plan.Duration, 1), "local", cancellationToken: cancellationToken).Throughput);
                parallel.Add(ModelBenchmark.Run(model, new BenchmarkPlan(1, 0, int.MaxValue, plan.Duration, plan.Clients), "local", cancellationToken: cancellationToken).Throughput);
                serverLike.Add(ModelBenchmark.Run(tuned, new BenchmarkPlan(1, 0, int.MaxValue, plan.Duration, runs), "local", cancellationToken: cancellationToken).Throughput);
                for (var k = 0; k < kinds.Length; k++)
                    http[k].Add(await load.RunAsync(kinds[k], plan.Clients, plan.Warmup, plan.Duration, cancellationToken));
                grpc.Add(await grpcLoad.RunAsync(grpcRaw, plan.Clients, plan.Warmup, plan.Duration, cancellationToken));
            }
            (rawSingle, rawParallel, rawServerLike) = (Median(single), Median(parallel), Median(serverLike));
            var medians = http.Select(h => Median(h.Select(r => r.RequestsPerSecond).ToList())).ToArray();
            (noopBinary, servedBinary, noopJson, servedJson) = (medians[0], medians[1], medians[2], medians[3]);
            servedGrpc = Median(grpc.Select(r => r.RequestsPerSecond).ToList());
            last = [.. http.Select(h => h[^1]), grpc[^1]];
        }
        var raw = Math.Max(rawSingle, Math.Max(rawParallel, rawServerLike));
        output.WriteLine($"  raw ONNX Runtime, defaults, 1 caller   {rawSingle,10:F0} /s");
        output.WriteLine($"  raw ONNX Runtime, defaults, {plan.Clients} callers  {rawParallel,10:F0} /s");
        output.WriteLine($"  raw, the server's settings, {runs} callers {rawServerLike,9:F0} /s  ({tuned.Provider.Provider}, {SessionTuning.ForServing(runs).IntraOpThreads} intra-op thread(s) each, no spinning)");
        var limitBinary = Limit(raw, noopBinary);
        var limitJson = Limit(raw, noopJson);
        output.WriteLine($"  raw = the best of the three      {raw,10:F0} /s");
        output.WriteLine($"  noop, binary body ({binary.Body.Length:N0} B)    {noopBinary,10:F0} /s");
        output.WriteLine($"  noop, JSON body ({json.Body.Length:N0} B)      {noopJson,10:F0} /s");
        output.WriteLine($"  limit, binary                    {limitBinary,10:F0} /s   limit = 1/(1/raw + 1/noop)");
        output.WriteLine($"  limit, JSON                      {limitJson,10:F0} /s");
        output.WriteLine($"  served /infer, binary            {servedBinary,10:F0} /s   {servedBinary / limitBinary:F2} of limit, {servedBinary / raw:F2} of raw (target >= 0.85 of limit)");
        output.WriteLine($"  served gRPC, raw contents ({grpcRaw.CalculateSize():N0} B) {servedGrpc,7:F0} /s   {servedGrpc / limitBinary:F2} of the binary limit, {servedGrpc / raw:F2} of raw, {servedGrpc / servedBinary:F2} of served binary (target: at least binary's)");
        output.WriteLine($"  served /infer, JSON              {servedJson,10:F0} /s   {servedJson / limitJson:F2} of limit, {servedJson / raw:F2} of raw (target >= 0.50 of limit)");

        output.WriteLine($"  ({LoadAverage.Describe()} after the rounds above)");
        var large = plan.LargeInputModel is { } largeModel ? await LargeJsonInput.MeasureAsync(largeModel, plan, cancellationToken) : null;
        if (large is not null) LargeJsonInput.Report(large, output);
        var mirroring = await MirroringCost.MeasureAsync(plan, cancellationToken);
        MirroringCost.Report(mirroring, plan, output);

        var gains = new List<BatchingGainResult>();
        foreach (var tinyModel in plan.TinyModels)
            gains.Add(await BatchingGain.MeasureAsync(tinyModel, plan, cancellationToken));
        output.WriteLine($"Dynamic batching (--max-batch {plan.MaxBatch} --batch-delay-ms {plan.BatchDelayMs} against --max-batch 1), {plan.BatchClients} clients, JSON; {LoadAverage.Describe()}");
        foreach (var g in gains)
        {
            output.WriteLine($"  {g.Model}: one run in process {g.RunMicrosBatch1:F0} us at batch 1, {g.RunMicrosFullBatch:F0} us at batch {plan.MaxBatch}");
            Row(output, "  without batching", g.Unbatched);
            Row(output, "  with batching", g.Batched, $"mean batch {g.MeanBatchRows:F1} rows");
        }
        for (var i = 0; i < gains.Count; i++)
        {
            // The first model is the one the target is about; the others are shown so that a low figure is not mistaken for a batcher fault.
            var regime = i == 0 ? $"{plan.BatchClients} clients" : $"{gains[i].RunMicrosBatch1:F0} us per run, HTTP-bound";
            output.WriteLine($"  batching gain ({gains[i].Model}, {regime}): {gains[i].Gain:F2}x{(i == 0 ? "   (target >= 3x)" : "")}");
        }
        var failed = last.Concat(large?.Last ?? []).Concat(mirroring.Last).Concat(gains.SelectMany(g => new[] { g.Unbatched, g.Batched })).Where(r => r.Failed > 0).ToList();
        foreach (var f in failed) output.WriteLine($"  {f.Failed} requests failed, first: {f.FirstError}");
        return failed.Count == 0 ? 0 : 1;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double Limit(double raw, double noop) => 1 / (1 / raw + 1 / noop);

    private static void Row(TextWriter output, string label, LoadResult r, string note = "") =>
        output.WriteLine($"  {label,-31} {r.RequestsPerSecond,10:F0} /s  p50 {r.P50Ms,6:F2} ms  p99 {r.P99Ms,6:F2} ms  {note}");
}
