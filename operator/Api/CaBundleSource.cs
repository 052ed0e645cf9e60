using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>A PEM bundle of certificate authorities in a ConfigMap of the ModelDeployment's namespace.</summary>
public sealed class CaBundleSource
{
    /// <summary>The ConfigMap's name.</summary>
    [JsonPropertyName("configMap"), RequiredField, Pattern(KubernetesNames.Dns1123Subdomain)]
    public string ConfigMap { get; set; } = "";

    /// <summary>The key holding the PEM certificates.</summary>
    [JsonPropertyName("key"), Pattern("^[-._a-zA-Z0-9]+$"), DefaultValue("ca.crt")]
    public string? Key { get; set; }
}
