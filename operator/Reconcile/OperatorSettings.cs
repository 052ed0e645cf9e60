namespace ModelOperator.Operator.Reconcile;

/// <summary>Operator-wide configuration the reconciler needs.</summary>
/// <param name="RuntimeImage">Image for runtime pods whose spec names none.</param>
/// <param name="NodeCache">The node-local model cache the chart configures (<c>modelCache</c> values).</param>
/// <param name="ManagementPeer">
/// The operator's pods, the only ones a runtime pod's NetworkPolicy lets reach its management port; null: no
/// NetworkPolicy is written (the chart's <c>runtimeNetworkPolicy.enabled: false</c>).
/// </param>
public sealed record OperatorSettings(string RuntimeImage = OperatorSettings.DefaultRuntimeImage, NodeCacheSettings? NodeCache = null, ManagementPeer? ManagementPeer = null)
{
    /// <summary>The runtime image when neither the spec nor the configuration names one.</summary>
    public const string DefaultRuntimeImage = "ghcr.io/modeloperator/model-runtime:0.1.0";

    /// <summary>The node cache settings in effect (the defaults when none were given).</summary>
    public NodeCacheSettings Cache => NodeCache ?? new NodeCacheSettings();
}

/// <summary>
/// The node-local model cache: the hostPath directory on each node (<c>--model-cache-host-path</c>), whether
/// <c>spec.model.cache.node</c> defaults to on for oci:// models (<c>--model-cache-by-default</c>), and the size limit
/// each runtime pod enforces (<c>--model-cache-max-bytes</c>, null: none).
/// </summary>
public sealed record NodeCacheSettings(string HostPath = NodeCacheSettings.DefaultHostPath, bool ByDefault = false, long? MaxBytes = null)
{
    /// <summary>The hostPath directory when the chart names none.</summary>
    public const string DefaultHostPath = "/var/cache/model-operator/models";

    /// <summary>Whether a model's pods use the node cache: its spec says so, else the default; oci:// models only.</summary>
    public bool AppliesTo(Api.ModelSource model) =>
        model.Uri.StartsWith("oci://", StringComparison.Ordinal) && (model.Cache?.Node ?? ByDefault);
}
