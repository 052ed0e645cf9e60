namespace ModelOperator.Activator;

/// <summary>How the activator runs.</summary>
internal sealed record ActivatorOptions
{
    /// <summary>The kubeconfig; null uses the in-cluster service account (or the default kubeconfig).</summary>
    public string? Kubeconfig { get; init; }
    /// <summary>The address to listen on (the kubelet of the dev cluster rewrites 0.0.0.0 to the pod's IP).</summary>
    public string Address { get; init; } = "0.0.0.0";
    /// <summary>The port HTTP/1.1 requests for models arrive on (the models' Service port named http maps here).</summary>
    public int HttpPort { get; init; } = 8080;
    /// <summary>The port cleartext HTTP/2 (gRPC) requests arrive on (the Service port named grpc maps here).</summary>
    public int GrpcPort { get; init; } = 8081;
    /// <summary>The port of /metrics, /healthz and /readyz.</summary>
    public int MetricsPort { get; init; } = 9090;
    /// <summary>The namespaces to read (the operator's --watch-namespaces); empty reads the whole cluster.</summary>
    public IReadOnlyList<string> WatchNamespaces { get; init; } = [];
    /// <summary>How long one watch request of the models, Services or EndpointSlices lasts before it is renewed (as the operator's).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
