using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>What to serve and how: the desired state of a ModelDeployment.</summary>
[CelRule("!has(self.autoscaling) || !has(self.replicas) || !has(self.replicas.count)",
    "replicas.count is for kubectl scale or an external autoscaler (HPA, KEDA) and cannot be combined with spec.autoscaling")]
[CelRule("!has(self.runtime) || !has(self.runtime.device) || self.runtime.device != 'cuda' || (has(self.gpu) && has(self.gpu.count) && self.gpu.count >= 1)",
    "runtime.device cuda needs gpu.count of at least 1")]
[CelRule("!has(self.runtime) || !has(self.runtime.device) || self.runtime.device != 'cpu' || !has(self.gpu) || !has(self.gpu.count) || self.gpu.count == 0",
    "runtime.device cpu leaves GPUs idle: set gpu.count to 0 or device to auto or cuda")]
[CelRule("!has(self.replicas) || self.replicas.min > 0 || (has(self.autoscaling) && has(self.autoscaling.scaleToZero))",
    "replicas.min 0 needs spec.autoscaling.scaleToZero: nothing else brings a model back from zero pods (to park a model, kubectl scale it to 0)")]
[CelRule("!has(self.autoscaling) || !has(self.autoscaling.scaleToZero) || (has(self.replicas) && self.replicas.min == 0)",
    "autoscaling.scaleToZero needs replicas.min 0")]
public sealed class ModelDeploymentSpec
{
    /// <summary>The model to serve.</summary>
    [JsonPropertyName("model"), RequiredField]
    public ModelSource Model { get; set; } = new();

    /// <summary>Runtime image, device and batching.</summary>
    [JsonPropertyName("runtime")]
    public RuntimeSpec? Runtime { get; set; }

    /// <summary>GPUs and placement.</summary>
    [JsonPropertyName("gpu")]
    public GpuSpec? Gpu { get; set; }

    /// <summary>Bounds on the replica count.</summary>
    [JsonPropertyName("replicas")]
    public ReplicasSpec? Replicas { get; set; }

    /// <summary>Latency-driven autoscaling.</summary>
    [JsonPropertyName("autoscaling")]
    public AutoscalingSpec? Autoscaling { get; set; }

    /// <summary>The on-node benchmark and its gate.</summary>
    [JsonPropertyName("benchmark")]
    public BenchmarkSpec? Benchmark { get; set; }

    /// <summary>How a new revision replaces the stable one.</summary>
    [JsonPropertyName("rollout")]
    public RolloutSpec? Rollout { get; set; }

    /// <summary>The service account the runtime pods run as; the namespace's default when absent.</summary>
    [JsonPropertyName("serviceAccountName"), Pattern(KubernetesNames.Dns1123Subdomain)]
    public string? ServiceAccountName { get; set; }

    /// <summary>Secrets the kubelet uses to pull the runtime image (core/v1 LocalObjectReference).</summary>
    [JsonPropertyName("imagePullSecrets"), EmbeddedKubernetesType]
    public List<k8s.Models.V1LocalObjectReference>? ImagePullSecrets { get; set; }
}

/// <summary>Where the model comes from.</summary>
[CelRule("self.uri.matches('" + UriPatternForCel + "')",
    "uri must be oci://registry/repo:tag (or @sha256:digest), https://host/path, s3://bucket/key, pvc://claim/path or file:///path", FieldPath = ".uri")]
[CelRule("!has(self.pullSecret) || self.uri.startsWith('oci://')", "pullSecret applies only to oci:// models")]
[CelRule("!has(self.plainHttp) || !self.plainHttp || self.uri.startsWith('oci://')", "plainHttp applies only to oci:// models")]
[CelRule("!has(self.caBundle) || self.uri.startsWith('oci://') || self.uri.startsWith('https://') || self.uri.startsWith('s3://')", "caBundle applies only to oci://, https:// and s3:// models")]
[CelRule("!has(self.s3) || self.uri.startsWith('s3://')", "s3 applies only to s3:// models")]
[CelRule("!has(self.caBundle) || !has(self.plainHttp) || !self.plainHttp", "caBundle has no effect with plainHttp: a registry without TLS presents no certificate")]
[CelRule("!has(self.cache) || !has(self.cache.node) || !self.cache.node || self.uri.startsWith('oci://')", "cache.node applies only to oci:// models (the cache is keyed by the manifest digest)")]
[CelRule("!has(self.cache) || !has(self.cache.prefetch) || !self.cache.prefetch || self.uri.startsWith('oci://')", "cache.prefetch applies only to oci:// models (it fills the node cache, which is keyed by the manifest digest)")]
public sealed class ModelSource
{
    /// <summary>The URI pattern: OCI reference, HTTPS URL, S3 object or prefix, PVC path or local file.</summary>
    public const string UriPattern = "^(oci://[^\\s]+|https://[^\\s]+|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\\s]+|pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/[^\\s]+|file:///[^\\s]*)$";

    /// <summary><see cref="UriPattern"/> as a CEL string literal's content (its backslashes escaped).</summary>
    public const string UriPatternForCel = "^(oci://[^\\\\s]+|https://[^\\\\s]+|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\\\\s]+|pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?/[^\\\\s]+|file:///[^\\\\s]*)$";

    /// <summary>
    /// Where to fetch the model: oci://registry/repo:tag or oci://registry/repo@sha256:digest (a model package),
    /// https://host/path/model.onnx, s3://bucket/path/model.onnx (one ONNX object) or s3://bucket/prefix (a packed
    /// layout uploaded there, as model-runtime pack writes it), pvc://claim/path/model.onnx (a PersistentVolumeClaim
    /// of the namespace, mounted read-only), or file:///path for local runs.
    /// </summary>
    [JsonPropertyName("uri"), RequiredField]
    public string Uri { get; set; } = "";

    /// <summary>
    /// Pins the model to a content digest, checked for every scheme: for oci:// the manifest digest, for the others the
    /// sha256 of the ONNX file. A pod whose model has another digest refuses to serve it.
    /// </summary>
    [JsonPropertyName("digest"), Pattern("^sha256:[a-f0-9]{64}$")]
    public string? Digest { get; set; }

    /// <summary>The model format.</summary>
    [JsonPropertyName("format"), EnumValues("onnx"), DefaultValue("onnx")]
    public string? Format { get; set; }

    /// <summary>
    /// A kubernetes.io/dockerconfigjson Secret in the same namespace holding the registry's credentials; mounted
    /// read-only as the runtime's docker config. oci:// only.
    /// </summary>
    [JsonPropertyName("pullSecret"), Pattern(KubernetesNames.Dns1123Subdomain)]
    public string? PullSecret { get; set; }

    /// <summary>Talk to the registry over plain HTTP (an in-cluster registry without TLS). oci:// only.</summary>
    [JsonPropertyName("plainHttp")]
    public bool? PlainHttp { get; set; }

    /// <summary>Certificate authorities, beside the system's, that the runtime trusts for the registry, download host or S3 endpoint.</summary>
    [JsonPropertyName("caBundle")]
    public CaBundleSource? CaBundle { get; set; }

    /// <summary>Endpoint, region, addressing and credentials of an s3:// model. s3:// only.</summary>
    [JsonPropertyName("s3")]
    public S3Spec? S3 { get; set; }

    /// <summary>The node-local model cache shared by the pods on a node. oci:// only.</summary>
    [JsonPropertyName("cache")]
    public ModelCacheSpec? Cache { get; set; }
}

/// <summary>The runtime container.</summary>
public sealed class RuntimeSpec
{
    /// <summary>The runtime image; the operator's configured image when absent.</summary>
    [JsonPropertyName("image"), Pattern("^[^\\s]+$")]
    public string? Image { get; set; }

    /// <summary>Which execution provider to use.</summary>
    [JsonPropertyName("device"), EnumValues("auto", "cuda", "cpu"), DefaultValue("auto")]
    public string? Device { get; set; }

    /// <summary>Dynamic batching.</summary>
    [JsonPropertyName("batching")]
    public BatchingSpec? Batching { get; set; }

    /// <summary>Extra environment variables (core/v1 EnvVar).</summary>
    [JsonPropertyName("env"), EmbeddedKubernetesType]
    public List<k8s.Models.V1EnvVar>? Env { get; set; }

    /// <summary>Container resources (core/v1 ResourceRequirements).</summary>
    [JsonPropertyName("resources"), EmbeddedKubernetesType]
    public k8s.Models.V1ResourceRequirements? Resources { get; set; }
}

/// <summary>Dynamic batching of concurrent requests.</summary>
public sealed class BatchingSpec
{
    /// <summary>Largest batch the runtime forms.</summary>
    [JsonPropertyName("maxBatchSize"), Minimum(1), Maximum(1024)]
    public int? MaxBatchSize { get; set; }

    /// <summary>How long the runtime waits to fill a batch.</summary>
    [JsonPropertyName("maxDelayMs"), Minimum(0), Maximum(10000)]
    public int? MaxDelayMs { get; set; }
}

/// <summary>GPUs and placement of the runtime pods.</summary>
public sealed class GpuSpec
{
    /// <summary>GPUs per pod as nvidia.com/gpu; 0 means CPU.</summary>
    [JsonPropertyName("count"), Minimum(0), Maximum(16)]
    public int? Count { get; set; }

    /// <summary>Node labels the pods require.</summary>
    [JsonPropertyName("nodeSelector")]
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>Tolerations (core/v1 Toleration).</summary>
    [JsonPropertyName("tolerations"), EmbeddedKubernetesType]
    public List<k8s.Models.V1Toleration>? Tolerations { get; set; }

    /// <summary>Affinity (core/v1 Affinity).</summary>
    [JsonPropertyName("affinity"), EmbeddedKubernetesType]
    public k8s.Models.V1Affinity? Affinity { get; set; }
}

/// <summary>Bounds on the number of runtime pods.</summary>
[CelRule("self.min <= self.max", "replicas.min must not exceed replicas.max")]
public sealed class ReplicasSpec
{
    /// <summary>Fewest pods.</summary>
    [JsonPropertyName("min"), RequiredField, Minimum(0), DefaultValue(1)]
    public int Min { get; set; } = 1;

    /// <summary>Most pods.</summary>
    [JsonPropertyName("max"), RequiredField, Minimum(1), DefaultValue(1)]
    public int Max { get; set; } = 1;

    /// <summary>
    /// The replica count set through the <c>scale</c> subresource (<c>kubectl scale</c>, a HorizontalPodAutoscaler,
    /// KEDA) when spec.autoscaling is absent; it takes precedence over min and max, which bound the built-in autoscaler.
    /// </summary>
    [JsonPropertyName("count"), Minimum(0)]
    public int? Count { get; set; }
}
