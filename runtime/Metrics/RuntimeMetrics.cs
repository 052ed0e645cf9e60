using Prometheus;

namespace ModelOperator.Runtime.Metrics;

/// <summary>
/// Every metric the runtime exports, on its own registry (so servers in one process, such as tests, do not share counts).
/// Names follow Prometheus conventions: a <c>modelruntime_</c> prefix, base units (<c>_seconds</c>), <c>_total</c> on counters.
/// </summary>
internal sealed class RuntimeMetrics
{
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.0001, 2, 18);

    public RuntimeMetrics(CollectorRegistry? registry = null)
    {
        Registry = registry ?? Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("modelruntime_requests_total",
            "Inference requests handled, by model and outcome (success, client_error, server_error).", "model", "outcome");
        RequestDuration = factory.CreateHistogram("modelruntime_request_duration_seconds",
            "Time from reading an inference request to writing its response, by model and outcome.",
            new HistogramConfiguration { LabelNames = ["model", "outcome"], Buckets = LatencyBuckets });
        QueueDuration = factory.CreateHistogram("modelruntime_queue_duration_seconds",
            "Time an inference request waited for its batch to start running.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = LatencyBuckets });
        BatchSize = factory.CreateHistogram("modelruntime_batch_size",
            "Rows (first-dim entries) per model run; above 1 when dynamic batching combined requests.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        InFlight = factory.CreateGauge("modelruntime_inflight_requests", "Inference requests being handled right now.", "model");
        ModelLoad = factory.CreateGauge("modelruntime_model_load_seconds", "Time it took to load the model into ONNX Runtime.", "model");
        ExecutionProvider = factory.CreateGauge("modelruntime_execution_provider_info",
            "The execution provider the model runs on (always 1); reason says why, e.g. a CUDA fallback.",
            "model", "provider", "device", "reason");
        Ready = factory.CreateGauge("modelruntime_ready", "1 when the server answers /v2/health/ready with 200.", "model");
        BenchmarkLatency = factory.CreateGauge("modelruntime_benchmark_latency_seconds",
            "On-node benchmark latency of one model run, by batch size and percentile (p50, p95, p99).",
            "model", "batch_size", "percentile", "provider", "node");
        BenchmarkThroughput = factory.CreateGauge("modelruntime_benchmark_throughput_inferences_per_second",
            "On-node benchmark throughput in rows per second, by batch size.", "model", "batch_size", "provider", "node");
        ModelFetches = factory.CreateCounter("modelruntime_model_fetches_total",
            "Model fetches at start, by where the model came from: the node cache (hit), pulled into it (miss), or no node cache (off).",
            "model", "cache");
        ModelPulledBytes = factory.CreateCounter("modelruntime_model_pulled_bytes_total",
            "Bytes of model blobs this pod downloaded from the registry (0 on a node cache hit).", "model");
        ModelCacheDamagedEntries = factory.CreateCounter("modelruntime_model_cache_damaged_entries_total",
            "Node cache entries that failed verification when opened; each was removed and pulled again, never served.", "model");
        ModelCacheEvictions = factory.CreateCounter("modelruntime_model_cache_evictions_total",
            "Node cache entries this pod evicted (least recently used, not in use) to keep the cache under its size limit.", "model");
        ModelCacheSize = factory.CreateGauge("modelruntime_model_cache_size_bytes",
            "Bytes the node cache's complete entries took when this pod opened its model.", "model");
    }

    public CollectorRegistry Registry { get; }
    public Counter ModelFetches { get; }
    public Counter ModelPulledBytes { get; }
    public Counter ModelCacheDamagedEntries { get; }
    public Counter ModelCacheEvictions { get; }
    public Gauge ModelCacheSize { get; }
    public Counter Requests { get; }
    public Histogram RequestDuration { get; }
    public Histogram QueueDuration { get; }
    public Histogram BatchSize { get; }
    public Gauge InFlight { get; }
    public Gauge ModelLoad { get; }
    public Gauge ExecutionProvider { get; }
    public Gauge Ready { get; }
    public Gauge BenchmarkLatency { get; }
    public Gauge BenchmarkThroughput { get; }
}
