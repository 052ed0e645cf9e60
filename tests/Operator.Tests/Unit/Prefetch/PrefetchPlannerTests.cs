using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Autoscaling;
using ModelOperator.Operator.Prefetch;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Tests.Unit.Prefetch;

/// <summary>
/// <c>spec.model.cache.prefetch</c>: which nodes get a prefetch pod, what that pod is, and what <c>status.prefetch</c>
/// says per node as the pods run, fail and finish.
/// </summary>
public sealed class PrefetchPlannerTests
{
    private static readonly OperatorSettings Settings = new("registry.local/model-runtime:test", new NodeCacheSettings("/var/lib/models", MaxBytes: 10L << 30));
    private static readonly Dictionary<string, string> GpuPool = new() { ["pool"] = "gpu" };
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static ModelDeployment Model(Action<ModelDeploymentSpec>? edit = null) => Samples.Model(edit: s =>
    {
        s.Model.Cache = new ModelCacheSpec { Node = true, Prefetch = true };
        s.Model.Digest = Digest;
        s.Gpu = new GpuSpec { Count = 2, NodeSelector = GpuPool };
        edit?.Invoke(s);
    });

    private static V1Node Node(string name, int gpus, Dictionary<string, string>? labels = null, bool unschedulable = false, V1Taint? taint = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1NodeSpec { Unschedulable = unschedulable, Taints = taint is null ? null : [taint] },
        Status = new V1NodeStatus { Allocatable = new Dictionary<string, ResourceQuantity> { [GpuCapacityCalculator.Gpu] = new(gpus.ToString()) } },
    };

    private static readonly V1Node[] Cluster =
    [
        Node("gpu-b", 4, GpuPool),
        Node("gpu-a", 2, GpuPool, taint: new V1Taint { Key = "nvidia.com/gpu", Value = "present", Effect = "NoSchedule" }),
        Node("cordoned", 8, GpuPool, unschedulable: true),
        Node("other-pool", 8),
        Node("dedicated", 8, GpuPool, taint: new V1Taint { Key = "team", Value = "search", Effect = "NoExecute" }),
        Node("one-gpu", 1, GpuPool),
    ];

    private static V1Pod WithStatus(V1Pod pod, V1PodStatus status) { pod.Status = status; return pod; }

    [Fact]
    public void Prefetch_CreatesOnePodPerNodeThatCouldRunTheModelsPods_AndNoneElsewhere()
    {
        var plan = PrefetchPlanner.Plan(Model(), Settings, Cluster, []);

        Assert.Equal(["gpu-a", "gpu-b"], plan.PodsToCreate.Select(p => p.Spec.NodeName).Order());
        Assert.Empty(plan.PodsToDelete);
        Assert.Equal([("gpu-a", "Pulling"), ("gpu-b", "Pulling")], plan.Status!.Select(s => (s.Node, s.State)));
        Assert.True(plan.Active);
    }

    [Fact]
    public void PrefetchPod_IsBoundToItsNode_RequestsNoGpu_AndPullsTheDigestIntoTheRuntimePodsNodeCache()
    {
        var md = Model(s => s.Model.PlainHttp = true);
        var pod = PrefetchPlanner.Plan(md, Settings, Cluster, []).PodsToCreate.Single(p => p.Spec.NodeName == "gpu-b");
        var runtimePod = DesiredDeployment.Build(md, "abc1234567", Settings).Spec.Template.Spec;
        var c = pod.Spec.Containers.Single();

        Assert.Equal("OnFailure", pod.Spec.RestartPolicy);
        Assert.Null(c.Resources);
        Assert.Equal(runtimePod.Containers[0].Image, c.Image);
        Assert.Equal(["pull", "oci://registry.local/models/resnet@" + Digest, "--model-cache-dir", WellKnown.NodeCacheDir,
            "--model-cache-max-bytes", (10L << 30).ToString(), "--plain-http"], c.Args);
        var hostPath = pod.Spec.Volumes.Single(v => v.HostPath is not null).HostPath;
        Assert.Equal(runtimePod.Volumes.Single(v => v.HostPath is not null).HostPath.Path, hostPath.Path);
        Assert.Equal(WellKnown.NodeCacheDir, c.VolumeMounts.Single(m => m.Name == pod.Spec.Volumes.Single(v => v.HostPath is not null).Name).MountPath);
        Assert.Equal(("resnet", "uid-resnet", true), (pod.Metadata.OwnerReferences.Single().Name, pod.Metadata.OwnerReferences.Single().Uid, pod.Metadata.OwnerReferences.Single().Controller));
        Assert.Equal("resnet", pod.Metadata.Labels[WellKnown.PrefetchForLabel]);
        Assert.False(pod.Metadata.Labels.ContainsKey(WellKnown.NameLabel), "a prefetch pod must not count as a runtime pod (Service endpoints, admission)");
        Assert.Equal(WellKnown.FieldManager, pod.Metadata.Labels[WellKnown.ManagedByLabel]);
    }

    [Fact]
    public void Status_SaysPulledOnceThePodExitedZero_FailedWithItsMessage_AndAFailedPodIsDeletedToBeCreatedAgain()
    {
        var md = Model();
        var desired = PrefetchPlanner.Plan(md, Settings, Cluster, []).PodsToCreate.ToDictionary(p => p.Spec.NodeName);
        var pulled = WithStatus(desired["gpu-a"], new V1PodStatus { Phase = "Succeeded" });
        var failed = WithStatus(desired["gpu-b"], new V1PodStatus
        {
            Phase = "Failed",
            ContainerStatuses = [new V1ContainerStatus { Name = "pull", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated
                { ExitCode = 1, Message = "Pulling…\nerror: registry.local answered 401 Unauthorized for models/resnet" } } }],
        });

        var plan = PrefetchPlanner.Plan(md, Settings, Cluster, [pulled, failed]);

        Assert.Empty(plan.PodsToCreate);
        Assert.Equal([failed.Metadata.Name], plan.PodsToDelete);
        Assert.Equal(("gpu-a", "Pulled", null), (plan.Status![0].Node, plan.Status[0].State, plan.Status[0].Message));
        Assert.Equal(("gpu-b", "Failed", "error: registry.local answered 401 Unauthorized for models/resnet"), (plan.Status[1].Node, plan.Status[1].State, plan.Status[1].Message));

        failed.Metadata.DeletionTimestamp = DateTime.UtcNow;
        Assert.Empty(PrefetchPlanner.Plan(md, Settings, Cluster, [pulled, failed]).PodsToCreate); // not while the old one is going
        Assert.Equal(["gpu-b"], PrefetchPlanner.Plan(md, Settings, Cluster, [pulled]).PodsToCreate.Select(p => p.Spec.NodeName));
    }

    [Fact]
    public void APodRestartingAfterAFailedPull_IsReportedFailedWhileItWaits_AndPullingOnceItRunsAgain()
    {
        var md = Model();
        var pod = PrefetchPlanner.Plan(md, Settings, Cluster, []).PodsToCreate.Single(p => p.Spec.NodeName == "gpu-b");
        var last = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 2, Reason = "Error" } };
        WithStatus(pod, new V1PodStatus { Phase = "Running", ContainerStatuses = [new V1ContainerStatus { Name = "pull", RestartCount = 1,
            LastState = last, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } } }] });

        var waiting = PrefetchPlanner.State("gpu-b", pod.Metadata.Name, pod);
        pod.Status.ContainerStatuses[0].State = new V1ContainerState { Running = new V1ContainerStateRunning() };
        var running = PrefetchPlanner.State("gpu-b", pod.Metadata.Name, pod);

        Assert.Equal(("Failed", "the pull exited with code 2 (Error) (retrying)"), (waiting.State, waiting.Message));
        Assert.Equal(("Pulling", null), (running.State, running.Message));
    }

    [Fact]
    public void ANewDigest_ReplacesEveryNodesPod_AndANodeThatNoLongerFits_LosesItsPod()
    {
        var old = PrefetchPlanner.Plan(Model(), Settings, Cluster, []).PodsToCreate.Select(p => WithStatus(p, new V1PodStatus { Phase = "Succeeded" })).ToList();
        var md = Model(s => s.Model.Digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222");

        var plan = PrefetchPlanner.Plan(md, Settings, Cluster.Where(n => n.Metadata.Name != "gpu-a"), old);

        Assert.Equal(old.Select(p => p.Metadata.Name).Order(), plan.PodsToDelete);
        Assert.Equal(["gpu-b"], plan.PodsToCreate.Select(p => p.Spec.NodeName));
        Assert.Contains("@sha256:2222", plan.PodsToCreate[0].Spec.Containers[0].Args[1]);
        Assert.Equal([("gpu-b", "Pulling")], plan.Status!.Select(s => (s.Node, s.State)));
    }

    [Fact]
    public void PrefetchTurnedOff_DeletesThePods_AndClearsTheStatus()
    {
        var pods = PrefetchPlanner.Plan(Model(), Settings, Cluster, []).PodsToCreate;

        var off = PrefetchPlanner.Plan(Model(s => s.Model.Cache!.Prefetch = false), Settings, Cluster, pods);

        Assert.Equal(pods.Select(p => p.Metadata.Name).Order(), off.PodsToDelete);
        Assert.Empty(off.PodsToCreate);
        Assert.Null(off.Status);
        Assert.False(off.Active);
    }

    [Fact]
    public void Prefetch_FollowsTheChartsNodeCacheDefault_WhenTheSpecLeavesNodeOut()
    {
        var md = Model(s => s.Model.Cache = new ModelCacheSpec { Prefetch = true });

        Assert.Empty(PrefetchPlanner.Plan(md, Settings, Cluster, []).PodsToCreate);
        Assert.Equal(2, PrefetchPlanner.Plan(md, Settings with { NodeCache = Settings.Cache with { ByDefault = true } }, Cluster, []).PodsToCreate.Count);
    }

    [Fact]
    public void AModelWithoutGpus_PrefetchesOntoEverySchedulableNodeItsSelectorAndTolerationsAllow()
    {
        var md = Model(s => s.Gpu = null);

        Assert.Equal(["gpu-b", "one-gpu", "other-pool"], PrefetchPlanner.Plan(md, Settings, Cluster, []).PodsToCreate.Select(p => p.Spec.NodeName).Order());
    }
}
