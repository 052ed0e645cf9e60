using System.Text.Json.Serialization;

namespace ModelOperator.Operator.Api;

/// <summary>How the runtime reaches an s3:// model: the store's endpoint, the bucket's region, addressing and credentials.</summary>
public sealed class S3Spec
{
    /// <summary>
    /// The endpoint of an S3-compatible store (MinIO, Ceph RGW, …), such as https://minio.storage:9000; AWS S3 itself
    /// when absent.
    /// </summary>
    [JsonPropertyName("endpoint"), Pattern("^https?://[^\\s]+$")]
    public string? Endpoint { get; set; }

    /// <summary>The bucket's region, such as eu-west-1; us-east-1 with a custom endpoint when absent, else the pod's AWS_REGION.</summary>
    [JsonPropertyName("region"), Pattern("^[a-z0-9-]+$")]
    public string? Region { get; set; }

    /// <summary>Address buckets as endpoint/bucket/key instead of bucket.endpoint/key, as most S3-compatible stores need.</summary>
    [JsonPropertyName("forcePathStyle")]
    public bool? ForcePathStyle { get; set; }

    /// <summary>
    /// A Secret in the same namespace with the keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and optionally
    /// AWS_SESSION_TOKEN), given to the runtime as environment variables. Without it the pod's own identity is used
    /// through the AWS SDK's default chain (IRSA web identity, instance profile).
    /// </summary>
    [JsonPropertyName("credentialsSecret"), Pattern(KubernetesNames.Dns1123Subdomain)]
    public string? CredentialsSecret { get; set; }
}
