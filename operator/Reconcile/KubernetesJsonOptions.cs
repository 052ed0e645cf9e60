using System.Text.Json;

namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// The Kubernetes client's own serializer settings (its converters for quantities, int-or-string and dates), so hot
/// paths can convert between objects and JSON trees directly instead of writing a string and parsing it again.
/// </summary>
internal static class KubernetesJsonOptions
{
    public static readonly JsonSerializerOptions Instance = Capture();

    private static JsonSerializerOptions Capture()
    {
        JsonSerializerOptions? options = null;
        k8s.KubernetesJson.AddJsonOptions(o => options = o);
        return options ?? throw new InvalidOperationException("the Kubernetes client exposed no JSON options");
    }
}
