using System.Security.Cryptography;
using System.Text;
using k8s;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// A revision is a short hash of the spec parts that change the pods (model, runtime, gpu, benchmark and the
/// resolved image), so replica bounds, autoscaling or rollout edits never start a new revision. The benchmark gate is
/// left out too: the operator applies it, not the pods, so relaxing it re-admits the same pods.
/// </summary>
public static class RevisionHasher
{
    /// <summary>Ten lowercase hex characters.</summary>
    public static string Compute(ModelDeploymentSpec spec, OperatorSettings settings)
    {
        spec = WithDefaults(spec);
        var podShaping = new
        {
            model = spec.Model,
            image = spec.Runtime?.Image ?? settings.RuntimeImage,
            runtime = spec.Runtime,
            gpu = spec.Gpu,
            benchmark = spec.Benchmark,
            // Null (left out) unless the pods use the node cache: the chart's default, hostPath and limit shape them too.
            nodeCache = settings.Cache.AppliesTo(spec.Model) ? new { hostPath = settings.Cache.HostPath, maxBytes = settings.Cache.MaxBytes } : null,
            // Null (and so left out, keeping existing revisions' hashes) unless the pods' identity is set.
            pod = spec.ServiceAccountName is null && spec.ImagePullSecrets is not { Count: > 0 }
                ? null : new { serviceAccountName = spec.ServiceAccountName, imagePullSecrets = spec.ImagePullSecrets },
        };
        var json = KubernetesJson.Serialize(podShaping);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(json));
        return Convert.ToHexStringLower(hash.AsSpan(0, 5));
    }

    // The same spec must hash the same whether or not the API server filled in the CRD's defaults.
    private static ModelDeploymentSpec WithDefaults(ModelDeploymentSpec spec)
    {
        var copy = KubernetesJson.Deserialize<ModelDeploymentSpec>(KubernetesJson.Serialize(spec));
        copy.Model.Format ??= "onnx";
        copy.Runtime ??= new RuntimeSpec();
        copy.Runtime.Device ??= "auto";
        copy.Gpu ??= new GpuSpec();
        copy.Gpu.Count ??= 0;
        if (copy.Benchmark is not null) copy.Benchmark.Gate = null;
        // Prefetch pods are the operator's own, beside the revision: turning it on or off must not roll the runtime pods.
        if (copy.Model.Cache is not null) copy.Model.Cache.Prefetch = null;
        return copy;
    }
}
