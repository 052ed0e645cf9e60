namespace ModelOperator.Operator.Reconcile;

/// <summary>Names the operator writes onto objects: labels, the finalizer, the field manager.</summary>
public static class WellKnown
{
    /// <summary>Label carrying the owning ModelDeployment's name on children and pods.</summary>
    public const string NameLabel = "serving.modeloperator.io/name";
    /// <summary>Label carrying the ModelDeployment's name on its prefetch pods (not <see cref="NameLabel"/>: they are not runtime pods).</summary>
    public const string PrefetchForLabel = "serving.modeloperator.io/prefetch-for";
    /// <summary>Label carrying the revision hash on revision Deployments and their pods.</summary>
    public const string RevisionLabel = "serving.modeloperator.io/revision";
    /// <summary>Standard managed-by label; the operator watches only children that carry it.</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    /// <summary>Value of <see cref="ManagedByLabel"/> and the server-side apply field manager.</summary>
    public const string FieldManager = "model-operator";
    /// <summary>The finalizer that lets the operator clean up before a ModelDeployment goes.</summary>
    public const string Finalizer = "serving.modeloperator.io/cleanup";
    /// <summary>The runtime's container port, named <c>http</c>.</summary>
    public const int RuntimePort = 8080;
    /// <summary>The runtime's OIP v2 gRPC port (its default, as KServe's), named <c>grpc</c>.</summary>
    public const int RuntimeGrpcPort = 8081;
    /// <summary>
    /// The runtime's management port, named <c>management</c> (issue 23): the operator sets and clears a stable pod's
    /// shadow target on it (<c>/v2/_shadow</c>). The model's Service does not expose it, so user traffic cannot reach it.
    /// </summary>
    public const int RuntimeManagementPort = 8082;

    /// <summary>
    /// Seconds a runtime pod keeps serving after SIGTERM (not ready) before it stops listening. Kubernetes removes a
    /// deleted pod from endpoints while it signals it; proxies (kube-proxy, ingress, the dev cluster's) learn of the
    /// removal a moment later, and requests they route meanwhile must still be answered.
    /// </summary>
    public const int RuntimeShutdownDelaySeconds = 5;
    /// <summary>The readiness gate runtime pods carry; the operator sets this pod condition once a pod passes admission.</summary>
    public const string AdmittedCondition = "serving.modeloperator.io/admitted";
    /// <summary>The extended resource (and taint key) of NVIDIA GPUs.</summary>
    public const string GpuResource = "nvidia.com/gpu";
    /// <summary>Where the runtime keeps its model cache (XDG_CACHE_HOME).</summary>
    public const string CacheDir = "/var/cache/model-runtime";
    /// <summary>Where the node-local model cache (a hostPath) is mounted in a runtime pod: <c>serve --model-cache-dir</c>.</summary>
    public const string NodeCacheDir = "/var/cache/model-runtime-node";
}
