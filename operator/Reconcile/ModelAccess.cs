using k8s.Models;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// What the runtime pod needs to fetch a model it may not simply download: the pull secret mounted as the docker
/// config, the CA bundle mounted and named by <c>--ca-file</c>, <c>--plain-http</c>, the S3 settings as
/// <c>--s3-*</c> flags and the S3 credentials Secret as AWS_* variables, and the pinned digest as <c>--sha256</c> for
/// the schemes that do not pin it in the reference (https://, s3://, pvc://, file://).
/// </summary>
public static class ModelAccess
{
    /// <summary>The keys of <c>spec.model.s3.credentialsSecret</c>, each given to the runtime as the variable of its name; the last one is optional.</summary>
    public static readonly IReadOnlyList<string> S3CredentialKeys = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

    /// <summary>Where the pull secret's <c>.dockerconfigjson</c> appears as <c>config.json</c>; the pod's DOCKER_CONFIG.</summary>
    public const string DockerConfigDir = "/etc/model-runtime/docker";

    /// <summary>Where the CA bundle's key appears as <see cref="CaFileName"/>.</summary>
    public const string CaDir = "/etc/model-runtime/ca";

    /// <summary>The file name of the mounted CA bundle.</summary>
    public const string CaFileName = "ca.crt";

    /// <summary>The runtime arguments beyond <c>--model</c>.</summary>
    public static IEnumerable<string> ServeArguments(ModelSource model)
    {
        if (model.PlainHttp == true) yield return "--plain-http";
        if (model.CaBundle is not null) { yield return "--ca-file"; yield return $"{CaDir}/{CaFileName}"; }
        if (model.S3 is { } s3)
        {
            if (s3.Endpoint is { } endpoint) { yield return "--s3-endpoint"; yield return endpoint; }
            if (s3.Region is { } region) { yield return "--s3-region"; yield return region; }
            if (s3.ForcePathStyle == true) yield return "--s3-force-path-style";
        }
        if (model.Digest is { } digest && !model.Uri.StartsWith("oci://", StringComparison.Ordinal))
        {
            yield return "--sha256";
            yield return digest;
        }
    }

    /// <summary>The volumes for the pull secret and the CA bundle, each mounted read-only.</summary>
    public static IEnumerable<(V1Volume Volume, V1VolumeMount Mount)> Volumes(ModelSource model)
    {
        if (model.PullSecret is { } secret)
            yield return (
                new V1Volume
                {
                    Name = "registry-credentials",
                    Secret = new V1SecretVolumeSource
                    {
                        SecretName = secret, DefaultMode = 0x124, // 0444: the runtime's non-root user reads it
                        Items = [new V1KeyToPath { Key = ".dockerconfigjson", Path = "config.json" }],
                    },
                },
                new V1VolumeMount { Name = "registry-credentials", MountPath = DockerConfigDir, ReadOnlyProperty = true });
        if (model.CaBundle is { } ca)
            yield return (
                new V1Volume
                {
                    Name = "registry-ca",
                    ConfigMap = new V1ConfigMapVolumeSource
                    {
                        Name = ca.ConfigMap, DefaultMode = 0x124,
                        Items = [new V1KeyToPath { Key = ca.Key ?? CaFileName, Path = CaFileName }],
                    },
                },
                new V1VolumeMount { Name = "registry-ca", MountPath = CaDir, ReadOnlyProperty = true });
    }

    /// <summary>
    /// DOCKER_CONFIG when a pull secret is mounted (the runtime reads <c>$DOCKER_CONFIG/config.json</c>); the S3
    /// credentials Secret's keys as AWS_* variables from secretKeyRef, so the secret never appears in the pod spec.
    /// </summary>
    public static IEnumerable<V1EnvVar> Environment(ModelSource model)
    {
        if (model.PullSecret is not null) yield return new V1EnvVar { Name = "DOCKER_CONFIG", Value = DockerConfigDir };
        if (model.S3?.CredentialsSecret is { } secret)
            for (var i = 0; i < S3CredentialKeys.Count; i++)
                yield return new V1EnvVar
                {
                    Name = S3CredentialKeys[i],
                    ValueFrom = new V1EnvVarSource
                    {
                        SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = S3CredentialKeys[i], Optional = i == S3CredentialKeys.Count - 1 ? true : null },
                    },
                };
    }

    /// <summary>Spec problems of the fields above, each naming the field (the CRD's CEL rules say the same).</summary>
    public static IEnumerable<string> Validate(ModelSource model)
    {
        var oci = model.Uri.StartsWith("oci://", StringComparison.Ordinal);
        var s3 = model.Uri.StartsWith("s3://", StringComparison.Ordinal);
        if (model.PullSecret is not null && !oci) yield return "spec.model.pullSecret applies only to oci:// models";
        if (model.PlainHttp == true && !oci) yield return "spec.model.plainHttp applies only to oci:// models";
        if (model.CaBundle is not null && !oci && !s3 && !model.Uri.StartsWith("https://", StringComparison.Ordinal))
            yield return "spec.model.caBundle applies only to oci://, https:// and s3:// models";
        if (model.S3 is not null && !s3) yield return "spec.model.s3 applies only to s3:// models";
        if (model.S3?.Endpoint is { } endpoint && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
            yield return $"spec.model.s3.endpoint '{endpoint}' must be an http:// or https:// URL";
        if (model.CaBundle is not null && model.PlainHttp == true)
            yield return "spec.model.caBundle has no effect with spec.model.plainHttp: a registry without TLS presents no certificate";
        if (model.CaBundle is { ConfigMap: null or "" }) yield return "spec.model.caBundle.configMap is required";
    }
}
