using k8s.Models;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Reconcile;

/// <summary>The revision Deployment <c>&lt;name&gt;-&lt;revision&gt;</c>: runtime pods serving the model as the spec says.</summary>
public static class DesiredDeployment
{
    private const string PvcMountRoot = "/mnt/models";

    /// <summary>Only the fields the operator owns, ready for server-side apply.</summary>
    public static V1Deployment Build(ModelDeployment md, string revision, OperatorSettings settings)
    {
        var name = md.Metadata.Name;
        var labels = ChildObjects.Labels(name, revision);
        var (modelArg, modelVolume, modelMount) = ModelLocation(md.Spec.Model);
        var volumes = new List<V1Volume>
        {
            new() { Name = "model-cache", EmptyDir = new V1EmptyDirVolumeSource() },
            new() { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
        };
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = "model-cache", MountPath = WellKnown.CacheDir },
            new() { Name = "tmp", MountPath = "/tmp" },
        };
        if (modelVolume is not null) { volumes.Add(modelVolume); mounts.Add(modelMount!); }
        foreach (var (volume, mount) in ModelAccess.Volumes(md.Spec.Model)) { volumes.Add(volume); mounts.Add(mount); }
        if (settings.Cache.AppliesTo(md.Spec.Model))
        {
            // The node's own directory, shared by every runtime pod there; created on first use.
            volumes.Add(new V1Volume
            {
                Name = "node-model-cache", HostPath = new V1HostPathVolumeSource { Path = settings.Cache.HostPath, Type = "DirectoryOrCreate" },
            });
            mounts.Add(new V1VolumeMount { Name = "node-model-cache", MountPath = WellKnown.NodeCacheDir });
        }

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta
            {
                Name = ChildObjects.DeploymentName(name, revision),
                NamespaceProperty = md.Metadata.NamespaceProperty,
                Labels = labels,
                OwnerReferences = [ChildObjects.OwnerReference(md)],
            },
            Spec = new V1DeploymentSpec
            {
                Replicas = ChildObjects.Replicas(md),
                ProgressDeadlineSeconds = (int)ProgressDeadline.Of(md.Spec).TotalSeconds,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>
                {
                    [WellKnown.NameLabel] = name, [WellKnown.RevisionLabel] = revision,
                } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels, Annotations = ScrapeAnnotations() },
                    Spec = PodSpec(md, modelArg, volumes, mounts, settings),
                },
            },
        };
    }

    private static V1PodSpec PodSpec(ModelDeployment md, string modelArg, List<V1Volume> volumes, List<V1VolumeMount> mounts, OperatorSettings settings)
    {
        var spec = md.Spec;
        return new V1PodSpec
        {
            SecurityContext = new V1PodSecurityContext
            {
                RunAsNonRoot = true, RunAsUser = 65532, RunAsGroup = 65532, FsGroup = 65532,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            NodeSelector = spec.Gpu?.NodeSelector is { Count: > 0 } ns ? new Dictionary<string, string>(ns) : null,
            Tolerations = Tolerations(spec),
            ReadinessGates = [new V1PodReadinessGate { ConditionType = WellKnown.AdmittedCondition }],
            Affinity = spec.Gpu?.Affinity,
            ServiceAccountName = spec.ServiceAccountName,
            ImagePullSecrets = spec.ImagePullSecrets is { Count: > 0 } pullSecrets ? pullSecrets : null,
            Volumes = volumes,
            Containers =
            [
                new V1Container
                {
                    Name = "runtime",
                    Image = spec.Runtime?.Image ?? settings.RuntimeImage,
                    Args = ServeArguments(md, modelArg, settings.Cache),
                    Ports =
                    [
                        new V1ContainerPort { Name = "http", ContainerPort = WellKnown.RuntimePort, Protocol = "TCP" },
                        new V1ContainerPort { Name = "grpc", ContainerPort = WellKnown.RuntimeGrpcPort, Protocol = "TCP" },
                        new V1ContainerPort { Name = "management", ContainerPort = WellKnown.RuntimeManagementPort, Protocol = "TCP" },
                    ],
                    Env = Environment(spec),
                    Resources = Resources(spec),
                    VolumeMounts = mounts,
                    // The runtime prints why it stopped (a model it cannot fetch or load) as its last line; this
                    // puts the log's tail into the container's last state, where the status message takes it from.
                    TerminationMessagePolicy = "FallbackToLogsOnError",
                    ReadinessProbe = Probe("/v2/health/ready", periodSeconds: 5, failureThreshold: 3),
                    LivenessProbe = Probe("/v2/health/live", periodSeconds: 10, failureThreshold: 3),
                    // The server answers at once; the model's pull, load and on-node benchmark then take up to 15
                    // minutes, and ready says when they are done. Probed every second, so a cold start from zero is
                    // not held up to a probe period after the model is ready (at 5 s on /live it cost up to 5 s);
                    // readiness keeps its 5 s period for the pod's life.
                    StartupProbe = Probe("/v2/health/ready", periodSeconds: 1, failureThreshold: 900),
                    SecurityContext = new V1SecurityContext
                    {
                        ReadOnlyRootFilesystem = true, AllowPrivilegeEscalation = false, RunAsNonRoot = true,
                        Capabilities = new V1Capabilities { Drop = ["ALL"] },
                    },
                },
            ],
        };
    }

    /// <summary>The runtime's <c>serve</c> command line for this spec.</summary>
    public static List<string> ServeArguments(ModelDeployment md, string modelArg, NodeCacheSettings? nodeCache = null)
    {
        var spec = md.Spec;
        var bench = spec.Benchmark;
        var args = new List<string>
        {
            "serve", "--model", modelArg, "--name", md.Metadata.Name, "--port", WellKnown.RuntimePort.ToString(),
            "--device", spec.Runtime?.Device ?? "auto",
            "--max-batch", (spec.Runtime?.Batching?.MaxBatchSize ?? 8).ToString(),
            "--batch-delay-ms", (spec.Runtime?.Batching?.MaxDelayMs ?? 2).ToString(),
            "--bench-batch", string.Join(',', bench?.BatchSizes is { Count: > 0 } b ? b : [1]),
            "--bench-iterations", (bench?.Iterations ?? 20).ToString(),
            "--shutdown-delay", WellKnown.RuntimeShutdownDelaySeconds.ToString(),
            "--management-port", WellKnown.RuntimeManagementPort.ToString(),
        };
        if (bench?.WarmupIterations is { } warmup) args.AddRange(["--bench-warmup", warmup.ToString()]);
        foreach (var (input, shape) in (bench?.InputShapes ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
            args.AddRange(["--bench-input-shape", $"{input}={string.Join(',', shape)}"]);
        args.AddRange(ModelAccess.ServeArguments(spec.Model));
        if (nodeCache is not null && nodeCache.AppliesTo(spec.Model))
        {
            args.AddRange(["--model-cache-dir", WellKnown.NodeCacheDir]);
            if (nodeCache.MaxBytes is { } max) args.AddRange(["--model-cache-max-bytes", max.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        return args;
    }

    /// <summary>
    /// The user's tolerations, plus, for pods that request GPUs, the GPU taint's toleration (Exists, NoSchedule), as
    /// the ExtendedResourceToleration admission plugin adds it; clusters without the plugin need it from us.
    /// </summary>
    public static List<V1Toleration>? Tolerations(ModelDeploymentSpec spec)
    {
        var tolerations = new List<V1Toleration>(spec.Gpu?.Tolerations ?? []);
        if ((spec.Gpu?.Count ?? 0) > 0 && !tolerations.Any(t => t.Key == WellKnown.GpuResource && t.OperatorProperty == "Exists" && t.Effect is null or "NoSchedule"))
            tolerations.Add(new V1Toleration { Key = WellKnown.GpuResource, OperatorProperty = "Exists", Effect = "NoSchedule" });
        return tolerations.Count > 0 ? tolerations : null;
    }

    private static List<V1EnvVar> Environment(ModelDeploymentSpec spec)
    {
        var env = new List<V1EnvVar>
        {
            new() { Name = "NODE_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
            new() { Name = "XDG_CACHE_HOME", Value = WellKnown.CacheDir },
        };
        env.AddRange(ModelAccess.Environment(spec.Model));
        foreach (var e in spec.Runtime?.Env ?? [])
            if (!env.Any(own => own.Name == e.Name)) env.Add(e);
        return env;
    }

    private static V1ResourceRequirements? Resources(ModelDeploymentSpec spec)
    {
        var gpus = spec.Gpu?.Count ?? 0;
        var user = spec.Runtime?.Resources;
        if (gpus == 0) return user;
        var limits = new Dictionary<string, ResourceQuantity>(user?.Limits ?? new Dictionary<string, ResourceQuantity>())
        {
            [WellKnown.GpuResource] = new ResourceQuantity(gpus.ToString()),
        };
        return new V1ResourceRequirements { Requests = user?.Requests, Limits = limits };
    }

    // For Prometheus without the prometheus-operator; the chart's PodMonitor covers clusters with it.
    private static Dictionary<string, string> ScrapeAnnotations() => new()
    {
        ["prometheus.io/scrape"] = "true",
        ["prometheus.io/port"] = WellKnown.RuntimePort.ToString(),
        ["prometheus.io/path"] = "/metrics",
    };

    private static V1Probe Probe(string path, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = "http" },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 2,
    };

    /// <summary>The model reference the runtime is given (an oci:// tag pinned to spec.model.digest where one is set).</summary>
    public static string ModelArgument(ModelSource model) => ModelLocation(model).Arg;

    // pvc://claim/path is mounted read-only and served from the file system; other schemes go to the runtime as is.
    private static (string Arg, V1Volume? Volume, V1VolumeMount? Mount) ModelLocation(ModelSource model)
    {
        var uri = model.Uri;
        if (uri.StartsWith("pvc://", StringComparison.Ordinal))
        {
            var rest = uri["pvc://".Length..];
            var slash = rest.IndexOf('/');
            var claim = rest[..slash];
            var volume = new V1Volume { Name = "model", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim, ReadOnlyProperty = true } };
            var mount = new V1VolumeMount { Name = "model", MountPath = $"{PvcMountRoot}/{claim}", ReadOnlyProperty = true };
            return ($"{PvcMountRoot}/{rest}", volume, mount);
        }
        if (model.Digest is { } digest && uri.StartsWith("oci://", StringComparison.Ordinal) && !uri.Contains('@'))
        {
            var lastSlash = uri.LastIndexOf('/');
            var colon = uri.IndexOf(':', lastSlash + 1);
            return ((colon > 0 ? uri[..colon] : uri) + "@" + digest, null, null);
        }
        return (uri, null, null);
    }
}
