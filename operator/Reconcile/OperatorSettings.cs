namespace ModelOperator.Operator.Reconcile;

/// <summary>Operator-wide configuration the reconciler needs.</summary>
/// <param name="RuntimeImage">Image for runtime pods whose spec names none.</param>
/// <param name="ManagementPeer">
/// The operator's pods, the only ones a runtime pod's NetworkPolicy lets reach its management port; null: no
/// NetworkPolicy is written (the chart's <c>runtimeNetworkPolicy.enabled: false</c>).
/// </param>
public sealed record OperatorSettings(string RuntimeImage = OperatorSettings.DefaultRuntimeImage, ManagementPeer? ManagementPeer = null)
{
    /// <summary>The runtime image when neither the spec nor the configuration names one.</summary>
    public const string DefaultRuntimeImage = "ghcr.io/modeloperator/model-runtime:0.1.0";
}
