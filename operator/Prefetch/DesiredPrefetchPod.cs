using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Prefetch;

/// <summary>
/// The pod that pulls a model into one node's cache (<c>spec.model.cache.prefetch</c>): bound to the node by
/// <c>nodeName</c>, the runtime image running <c>pull --model-cache-dir</c> on the same hostPath the runtime pods mount,
/// no GPU requested, restarted on failure. Its name carries a hash of the node and of everything the pull depends on,
/// so a new digest, image or cache setting makes a new pod (a pod's spec cannot change) and the old one is deleted.
/// </summary>
public static class DesiredPrefetchPod
{
    /// <summary>The annotation naming the model reference the pod pulls, for a person reading it.</summary>
    public const string ModelAnnotation = "serving.modeloperator.io/prefetch-model";

    public static V1Pod Build(ModelDeployment md, string node, OperatorSettings settings)
    {
        var model = md.Spec.Model;
        var image = md.Spec.Runtime?.Image ?? settings.RuntimeImage;
        var args = Arguments(model, settings.Cache);
        var volumes = new List<V1Volume>
        {
            new() { Name = "node-model-cache", HostPath = new V1HostPathVolumeSource { Path = settings.Cache.HostPath, Type = "DirectoryOrCreate" } },
            new() { Name = "model-cache", EmptyDir = new V1EmptyDirVolumeSource() },
            new() { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
        };
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = "node-model-cache", MountPath = WellKnown.NodeCacheDir },
            new() { Name = "model-cache", MountPath = WellKnown.CacheDir },
            new() { Name = "tmp", MountPath = "/tmp" },
        };
        foreach (var (volume, mount) in ModelAccess.Volumes(model)) { volumes.Add(volume); mounts.Add(mount); }
        var env = new List<V1EnvVar> { new() { Name = "XDG_CACHE_HOME", Value = WellKnown.CacheDir } };
        env.AddRange(ModelAccess.Environment(model));
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = Name(md.Metadata.Name, node, image, args),
                NamespaceProperty = md.Metadata.NamespaceProperty,
                Labels = new Dictionary<string, string>
                {
                    ["app.kubernetes.io/name"] = "model-prefetch",
                    ["app.kubernetes.io/instance"] = md.Metadata.Name,
                    [WellKnown.ManagedByLabel] = WellKnown.FieldManager,
                    [WellKnown.PrefetchForLabel] = md.Metadata.Name,
                },
                Annotations = new Dictionary<string, string> { [ModelAnnotation] = DesiredDeployment.ModelArgument(model) },
                OwnerReferences = [ChildObjects.OwnerReference(md)],
            },
            Spec = new V1PodSpec
            {
                NodeName = node,
                RestartPolicy = "OnFailure",
                SecurityContext = new V1PodSecurityContext
                {
                    RunAsNonRoot = true, RunAsUser = 65532, RunAsGroup = 65532, FsGroup = 65532,
                    SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                },
                // Bound by nodeName, past the scheduler; the tolerations keep a NoExecute taint from evicting it.
                Tolerations = DesiredDeployment.Tolerations(md.Spec),
                ServiceAccountName = md.Spec.ServiceAccountName,
                ImagePullSecrets = md.Spec.ImagePullSecrets is { Count: > 0 } pullSecrets ? pullSecrets : null,
                Volumes = volumes,
                Containers =
                [
                    new V1Container
                    {
                        Name = "pull",
                        Image = image,
                        Args = args,
                        Env = env,
                        VolumeMounts = mounts,
                        TerminationMessagePolicy = "FallbackToLogsOnError",
                        SecurityContext = new V1SecurityContext
                        {
                            ReadOnlyRootFilesystem = true, AllowPrivilegeEscalation = false, RunAsNonRoot = true,
                            Capabilities = new V1Capabilities { Drop = ["ALL"] },
                        },
                    },
                ],
            },
        };
    }

    /// <summary>The runtime's <c>pull</c> command line into the node cache.</summary>
    public static List<string> Arguments(ModelSource model, NodeCacheSettings cache)
    {
        var args = new List<string> { "pull", DesiredDeployment.ModelArgument(model), "--model-cache-dir", WellKnown.NodeCacheDir };
        if (cache.MaxBytes is { } max) args.AddRange(["--model-cache-max-bytes", max.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        args.AddRange(ModelAccess.ServeArguments(model));
        return args;
    }

    private static string Name(string mdName, string node, string image, List<string> args)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', [node, image, .. args])));
        return $"{mdName}-prefetch-{Convert.ToHexStringLower(hash)[..10]}";
    }
}
