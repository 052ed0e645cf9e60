using ModelOperator.Runtime.Batching;
using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Metrics;
using ModelOperator.Runtime.Store;
using ModelOperator.Runtime.Store.NodeCache;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// The model a server serves: resolved, loaded, benchmarked on this node, then ready. Its state drives the ready probe;
/// its runner (direct or dynamic batching) runs the requests.
/// </summary>
internal sealed class ServedModel(ServeOptions options, RuntimeMetrics metrics, ILogger logger) : IAsyncDisposable
{
    private volatile ModelState _state = ModelState.Loading;
    private BenchInputShapes _benchShapes = BenchInputShapes.Choose(options.BenchInputShapes, recorded: null);
    private int _arriving;

    public string Name { get; } = options.Name ?? NameFromReference(options.Model);
    public string Version { get; private set; } = "1";
    public ModelState State => _state;

    /// <summary>
    /// Whether inference requests are served: when ready, and also while stopping, since the model stays loaded until the
    /// server has drained; only readiness turns false at SIGTERM, so a request routed before the endpoint update still
    /// gets its answer.
    /// </summary>
    public bool Serving => _state is ModelState.Warming or ModelState.Ready or ModelState.Stopping;
    public string? Failure { get; private set; }
    public OnnxModel? Model { get; private set; }
    public IInferenceRunner? Runner { get; private set; }
    public string? Digest { get; private set; }
    public BenchmarkReport Benchmark
    {
        get => _benchmark with { ModelSource = Fetch, Startup = Startup };
        private set => _benchmark = value;
    }
    private BenchmarkReport _benchmark = new(options.Name ?? NameFromReference(options.Model), "pending", []);

    /// <summary>How the model was fetched (node cache hit or miss, bytes pulled); null until it is.</summary>
    public ModelFetch? Fetch { get; private set; }

    /// <summary>Where the start went so far, by this process's clock.</summary>
    public StartupTimings Startup { get; private set; } = new();

    // Held while the model is served: a node cache does not evict a digest a running pod uses.
    private IDisposable? _cacheLease;

    /// <summary>Resolves, loads and benchmarks the model; on failure the state is <see cref="ModelState.Failed"/> and the error rethrown.</summary>
    /// <param name="cancellationToken">Ends loading when the server stops.</param>
    /// <param name="warmUp">Run after the benchmark, before turning ready, with inference already served (see <see cref="HttpWarmUp"/>).</param>
    public async Task StartAsync(CancellationToken cancellationToken, Func<OnnxModel, IReadOnlyDictionary<string, long[]>, CancellationToken, Task<int>>? warmUp = null)
    {
        try
        {
            Startup = new StartupTimings(ProcessSeconds: Seconds(DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var nodeCache = options.ModelCacheDir is { } cacheDir ? new NodeModelCache(cacheDir, options.ModelCacheMaxBytes, logger) : null;
            var resolved = await ModelSources.ResolveAsync(options.Model,
                new ModelSourceOptions(PlainHttp: options.PlainHttp, Sha256: options.Sha256, CaFile: options.CaFile, S3: options.S3,
                    NodeCache: nodeCache, CacheOwner: Environment.MachineName), cancellationToken);
            Startup = Startup with { FetchSeconds = Seconds(clock.Elapsed) };
            _cacheLease = resolved.Lease;
            Digest = resolved.Digest;
            RecordFetch(resolved.Fetch!, nodeCache);
            if (resolved.Version is { Length: > 0 } version) Version = version;
            _benchShapes = BenchInputShapes.Choose(options.BenchInputShapes, resolved.InputShapes);
            var model = Model = await Task.Run(() => OnnxModel.Load(resolved.OnnxPath, options.Device, options.Tuning), cancellationToken);
            Startup = Startup with { LoadSeconds = Seconds(model.LoadTime) };
            metrics.ModelLoad.WithLabels(Name).Set(model.LoadTime.TotalSeconds);
            metrics.ExecutionProvider.WithLabels(Name, model.Provider.Provider, model.Provider.Device, model.Provider.Reason).Set(1);
            logger.LogInformation("Loaded model {Model} from {Path} in {LoadSeconds:F3}s on {Provider} ({Device}): {Reason}; inputs={Inputs} outputs={Outputs}",
                Name, resolved.OnnxPath, model.LoadTime.TotalSeconds, model.Provider.Provider, model.Provider.Device, model.Provider.Reason,
                Describe(model.Inputs), Describe(model.Outputs));
            if (model.SkippedOutputs.Count > 0)
                logger.LogWarning("Skipped outputs the protocol cannot carry for model {Model}: {Outputs}", Name, string.Join(", ", model.SkippedOutputs));
            var observer = new RunObserver(metrics, Name);
            Runner = options.MaxBatch > 1 && model.CanBatch
                ? new DynamicBatcher(model, options.MaxBatch, options.BatchDelay, observer, () => Volatile.Read(ref _arriving) > 0)
                : new DirectRunner(model, observer, options.MaxConcurrentRuns);
            if (options.MaxBatch > 1 && !model.CanBatch)
                logger.LogInformation("Dynamic batching is off for model {Model}: its inputs or outputs have a static first dim", Name);

            _state = ModelState.Benchmarking;
            clock.Restart();
            await Task.Run(() => RunBenchmark(model, cancellationToken), cancellationToken);
            if (warmUp is not null) await WarmUpAsync(model, warmUp, cancellationToken);
            Startup = Startup with { BenchmarkSeconds = Seconds(clock.Elapsed) };
            _state = ModelState.Ready;
            metrics.Ready.WithLabels(Name).Set(1);
            logger.LogInformation("Model {Model} is ready", Name);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failure = e.Message;
            _state = ModelState.Failed;
            logger.LogError("Failed to load model {Model} from {Reference}: {Error}", Name, options.Model, e.Message);
            throw;
        }
    }

    private static double Seconds(TimeSpan elapsed) => Math.Round(Math.Max(0, elapsed.TotalSeconds), 3);

    private void RecordFetch(ModelFetch fetch, NodeModelCache? nodeCache)
    {
        Fetch = fetch;
        metrics.ModelFetches.WithLabels(Name, fetch.Cache).Inc();
        if (fetch.BytesPulled is { } pulled) metrics.ModelPulledBytes.WithLabels(Name).Inc(pulled);
        if (fetch.Reason is not null && fetch.Cache == ModelFetch.Miss) metrics.ModelCacheDamagedEntries.WithLabels(Name).Inc();
        if (nodeCache is not null)
        {
            metrics.ModelCacheEvictions.WithLabels(Name).Inc(nodeCache.Evictions);
            metrics.ModelCacheSize.WithLabels(Name).Set(nodeCache.SizeBytes());
        }
        logger.LogInformation("Fetched model {Model} ({Digest}): cache={Cache} bytesPulled={BytesPulled}{Why}", Name, fetch.Digest, fetch.Cache,
            fetch.BytesPulled, fetch.Reason is null ? "" : $" ({fetch.Reason})");
    }

    private async Task WarmUpAsync(OnnxModel model, Func<OnnxModel, IReadOnlyDictionary<string, long[]>, CancellationToken, Task<int>> warmUp,
        CancellationToken cancellationToken)
    {
        _state = ModelState.Warming;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var answered = await warmUp(model, _benchShapes.Shapes, cancellationToken);
            logger.LogInformation("Warmed up model {Model} with {Requests} requests in {WarmUpSeconds:F3}s", Name, answered, clock.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A model whose synthetic inputs it rejects still serves real ones: warm-up only makes the first requests faster.
            logger.LogWarning("Warm-up of model {Model} stopped: {Error}", Name, e.Message);
        }
    }

    private void RunBenchmark(OnnxModel model, CancellationToken cancellationToken)
    {
        if (options.BenchIterations == 0)
        {
            Benchmark = new BenchmarkReport(Name, "skipped", []);
            return;
        }
        Benchmark = new BenchmarkReport(Name, "running", []);
        if (_benchShapes.Shapes.Count > 0)
            logger.LogInformation("Chose benchmark input shapes for model {Model} from {ShapeSource}: {Shapes}", Name, _benchShapes.Source,
                string.Join(", ", _benchShapes.Shapes.Select(s => $"{s.Key}=[{string.Join(",", s.Value)}]")));
        var results = new List<BenchmarkResult>();
        try
        {
            foreach (var batch in options.BenchBatchSizes.Select(b => SyntheticInputs.EffectiveBatchSize(model, b)).Distinct())
            {
                var result = ModelBenchmark.Run(model, new BenchmarkPlan(batch, options.BenchWarmup, options.BenchIterations), options.Node,
                    cancellationToken: cancellationToken, shapes: _benchShapes.Shapes);
                results.Add(result);
                Export(result);
                logger.LogInformation("Benchmarked model {Model} at batch {BatchSize}: p50={P50Ms}ms p95={P95Ms}ms p99={P99Ms}ms throughput={Throughput}/s on {Provider} node={Node}",
                    Name, result.BatchSize, result.P50Ms, result.P95Ms, result.P99Ms, result.Throughput, result.Provider, result.Node);
            }
            Benchmark = new BenchmarkReport(Name, "completed", results);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A model that serves but cannot be benchmarked on made-up inputs still serves; the report says why.
            Benchmark = new BenchmarkReport(Name, "failed", results, e.Message);
            logger.LogWarning("Benchmark of model {Model} failed: {Error}", Name, e.Message);
        }
    }

    private void Export(BenchmarkResult r)
    {
        var batch = r.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        metrics.BenchmarkLatency.WithLabels(Name, batch, "p50", r.Provider, r.Node).Set(r.P50Ms / 1000);
        metrics.BenchmarkLatency.WithLabels(Name, batch, "p95", r.Provider, r.Node).Set(r.P95Ms / 1000);
        metrics.BenchmarkLatency.WithLabels(Name, batch, "p99", r.Provider, r.Node).Set(r.P99Ms / 1000);
        metrics.BenchmarkThroughput.WithLabels(Name, batch, r.Provider, r.Node).Set(r.Throughput);
    }

    /// <summary>A request for this model started arriving (its body is being read and decoded).</summary>
    public void BeginArrival() => Interlocked.Increment(ref _arriving);

    /// <summary>The request reached the runner, or failed before it.</summary>
    public void EndArrival() => Interlocked.Decrement(ref _arriving);

    /// <summary>Turns readiness false for good; inference is still served until the server stops (<see cref="Serving"/>).</summary>
    public void MarkStopping()
    {
        if (_state == ModelState.Ready) _state = ModelState.Stopping;
        metrics.Ready.WithLabels(Name).Set(0);
    }

    /// <summary>The served name when none is given: the file or repository name without extension or tag.</summary>
    public static string NameFromReference(string reference)
    {
        var last = reference.TrimEnd('/').Split('/')[^1];
        last = last.Split('@')[0];
        if (reference.StartsWith("oci://", StringComparison.OrdinalIgnoreCase)) last = last.Split(':')[0];
        var name = Path.GetFileNameWithoutExtension(last);
        return name.Length > 0 ? name : "model";
    }

    private static string Describe(IEnumerable<TensorSpec> specs) =>
        string.Join("; ", specs.Select(s => $"{s.Name} {s.Datatype} {TensorSpec.Format(s.Shape)}"));

    public async ValueTask DisposeAsync()
    {
        if (Runner is not null) await Runner.DisposeAsync();
        Model?.Dispose();
        _cacheLease?.Dispose();
    }
}
