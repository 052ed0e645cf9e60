using Microsoft.Extensions.Logging;

namespace ModelOperator.KubeDouble;

/// <summary>How a <see cref="KubeApiServer"/> starts.</summary>
public sealed record KubeApiServerOptions
{
    /// <summary>The loopback port to listen on; 0 picks a free one.</summary>
    public int Port { get; init; }
    /// <summary>How many events the watch history keeps; resuming from an older resourceVersion answers 410 Expired.</summary>
    public int WatchHistorySize { get; init; } = 10_000;
    /// <summary>How often a watch with allowWatchBookmarks sends a BOOKMARK while nothing else happens.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Whether owner-reference garbage collection runs from the start.</summary>
    public bool GarbageCollectionEnabled { get; init; } = true;
    /// <summary>Namespaces that exist from the start, as on a fresh cluster.</summary>
    public IReadOnlyList<string> InitialNamespaces { get; init; } = ["default", "kube-system", "kube-public", "kube-node-lease"];
    /// <summary>The IPv4 range Service cluster IPs are allocated from (the dev cluster uses a loopback range).</summary>
    public string ServiceClusterIPRange { get; init; } = "10.96.0.0/16";
    /// <summary>
    /// Addresses of the range the allocator must pass over (the dev cluster: loopback addresses something on this
    /// machine already listens on, so that a Service's cluster IP is never another cluster's); none when null.
    /// </summary>
    public Func<string, bool>? ServiceIPTaken { get; init; }
    /// <summary>
    /// Whether the double also listens with TLS (on another loopback port, with a fresh self-signed
    /// <see cref="ServingCertificate"/>), as in-cluster clients expect: KubernetesClient's InClusterConfig speaks only https.
    /// </summary>
    public bool ServeTls { get; init; }
    /// <summary>Where the double logs; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
