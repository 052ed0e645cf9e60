namespace ModelOperator.Operator.Reconcile;

/// <summary>Operator-wide configuration the reconciler needs.</summary>
/// <param name="RuntimeImage">Image for runtime pods whose spec names none.</param>
public sealed record OperatorSettings(string RuntimeImage = OperatorSettings.DefaultRuntimeImage)
{
    /// <summary>The runtime image when neither the spec nor the configuration names one.</summary>
    public const string DefaultRuntimeImage = "ghcr.io/modeloperator/model-runtime:0.1.0";
}
