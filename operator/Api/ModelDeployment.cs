using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace ModelOperator.Operator.Api;

/// <summary>A model served by the runtime: one Deployment per revision and one Service, as DESIGN.md §2 describes.</summary>
[Description("ModelDeployment serves an ONNX model with the model-runtime: one Deployment per revision and one Service.")]
// Children are named <name>-<10-char revision> and labelled with both; 52 keeps them within 63 characters.
[CelRule("size(self.metadata.name) <= 52", "metadata.name must be at most 52 characters: the revision suffix (-<10 characters>) must still fit a 63-character name")]
public sealed class ModelDeployment : IKubernetesObject<V1ObjectMeta>, ISpec<ModelDeploymentSpec>, IStatus<ModelDeploymentStatus?>
{
    /// <summary>The API group.</summary>
    public const string Group = "serving.modeloperator.io";
    /// <summary>The served version.</summary>
    public const string Version = "v1alpha1";
    /// <summary>The kind.</summary>
    public const string KindName = "ModelDeployment";
    /// <summary>The resource (plural) name.</summary>
    public const string Plural = "modeldeployments";
    /// <summary>The singular name.</summary>
    public const string Singular = "modeldeployment";
    /// <summary>The short name for kubectl.</summary>
    public const string ShortName = "mdep";
    /// <summary>apiVersion as written in objects.</summary>
    public const string ApiVersionValue = Group + "/" + Version;

    /// <inheritdoc/>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiVersionValue;

    /// <inheritdoc/>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    /// <inheritdoc/>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <inheritdoc/>
    [JsonPropertyName("spec")]
    [RequiredField]
    public ModelDeploymentSpec Spec { get; set; } = new();

    /// <inheritdoc/>
    [JsonPropertyName("status")]
    public ModelDeploymentStatus? Status { get; set; }
}

/// <summary>A page of ModelDeployments as the list endpoint returns it.</summary>
public sealed class ModelDeploymentList : IKubernetesObject<V1ListMeta>, IItems<ModelDeployment>
{
    /// <inheritdoc/>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ModelDeployment.ApiVersionValue;

    /// <inheritdoc/>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = ModelDeployment.KindName + "List";

    /// <inheritdoc/>
    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    /// <inheritdoc/>
    [JsonPropertyName("items")]
    public IList<ModelDeployment> Items { get; set; } = [];
}
