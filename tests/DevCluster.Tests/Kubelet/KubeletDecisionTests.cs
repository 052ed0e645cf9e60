using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>The kubelet's pure decisions, one row per boundary.</summary>
public sealed class KubeletDecisionTests
{
    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 20)]
    [InlineData(2, 40)]
    [InlineData(4, 160)]
    [InlineData(5, 300)] // 320 s capped at 5 min
    [InlineData(40, 300)]
    public void CrashLoopBackOff_DoublesFromTenSeconds_CappedAtFiveMinutes(int restarts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), CrashLoopBackOff.Delay(restarts, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)));

    [Theory]
    [InlineData("Always", 0, true)]
    [InlineData("Always", 1, true)]
    [InlineData(null, 0, true)]
    [InlineData("OnFailure", 0, false)]
    [InlineData("OnFailure", 137, true)]
    [InlineData("Never", 1, false)]
    public void RestartPolicy_DecidesWhetherAnExitedContainerRunsAgain(string? policy, int exitCode, bool restart) =>
        Assert.Equal(restart, CrashLoopBackOff.ShouldRestart(policy, exitCode));

    [Theory]
    [InlineData("TTF", 3, 3, null)]   // neither threshold reached: no verdict yet
    [InlineData("FFF", 1, 3, false)]
    [InlineData("FFFT", 1, 3, true)]
    [InlineData("TFFFT", 2, 3, false)] // one success is not enough when two are needed
    [InlineData("TFFFTT", 2, 3, true)]
    [InlineData("TFT", 1, 1, true)]
    public void ProbeTracker_TurnsOnlyAfterThresholdsInARow(string results, int successThreshold, int failureThreshold, bool? passing)
    {
        var tracker = ProbeTracker.Initial;
        foreach (var r in results) tracker = tracker.Observe(r == 'T', successThreshold, failureThreshold);
        Assert.Equal(passing, tracker.Passing);
    }

    [Fact]
    public void PodIpAllocator_GivesDistinctLoopbackAddresses_NeverTheNetworkOr127001_AndReusesReleased()
    {
        var ips = new PodIpAllocator("127.0.0.0/29", takenElsewhere: _ => false);

        var taken = Enumerable.Range(0, 5).Select(i => ips.Allocate($"pod-{i}")).ToList();

        Assert.Equal(["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"], taken);
        Assert.Equal("127.0.0.3", ips.Allocate("pod-1"));
        Assert.Throws<InvalidOperationException>(() => ips.Allocate("pod-5"));
        ips.Release("pod-2");
        Assert.Equal("127.0.0.4", ips.Allocate("pod-6"));
    }

    // Guards against a past bug: two clusters side by side both gave 127.10.0.1 to a pod, and one pod's probes and
    // requests reached the other cluster's process.
    [Fact]
    public void PodIpAllocator_SkipsAddressesSomethingElseListensOn()
    {
        var ips = new PodIpAllocator("127.0.1.0/29", takenElsewhere: a => a == PodIpAllocator.ToUInt(System.Net.IPAddress.Parse("127.0.1.1")));

        Assert.Equal("127.0.1.2", ips.Allocate("pod-0"));
    }

    [Fact]
    public void ListeningAddresses_ReadsListeningSocketsOfProcNetTcp_IgnoringConnections()
    {
        string[] lines =
        [
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 01000A7F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0",
            "   1: 02000A7F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0",
        ];

        Assert.Equal([PodIpAllocator.ToUInt(System.Net.IPAddress.Parse("127.10.0.1"))], ListeningAddresses.Parse(lines));
    }

    [Theory]
    [InlineData(null, 2, 30, 2)]   // no preStop: the kubelet's drain delay
    [InlineData(5L, 2, 30, 5)]     // the container's own preStop sleep wins
    [InlineData(0L, 2, 30, 0)]     // preStop sleep 0 opts out
    [InlineData(null, 2, 1, 1)]    // never past the grace period
    [InlineData(60L, 2, 30, 30)]
    public void TerminationGap_IsThePreStopSleepOrTheDrainDelay_WithinTheGracePeriod(long? preStopSeconds, int drainSeconds, int graceSeconds, int expectedSeconds)
    {
        var container = new V1Container { Name = "c" };
        if (preStopSeconds is { } s) container.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = s } } };

        var gap = TerminationGap.Of(container, TimeSpan.FromSeconds(drainSeconds), TimeSpan.FromSeconds(graceSeconds));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), gap);
    }

    [Theory]
    [InlineData("10.0.0.0/16", "must lie in 127.0.0.0/8")]
    [InlineData("127.10.0.0", "must be an IPv4 range")]
    [InlineData("127.10.0.0/31", "prefix 8 to 30")]
    public void PodIpAllocator_RefusesARangeOutsideLoopback(string cidr, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => new PodIpAllocator(cidr)).Message);

    [Fact]
    public void Launch_ComposesEntrypointArgsEnvAndDownwardApi_WithMountPathsRewritten()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "team", Uid = "u1", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { NodeName = "gpu-node-1", Containers = [] },
        };
        var container = new V1Container
        {
            Name = "runtime", Image = "img",
            Args = ["serve", "--model", "/models/mnist.onnx", "--cache=/cache", "--name", "$(POD_NAME)", "$$(literal)"],
            Env =
            [
                new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
                new V1EnvVar { Name = "NODE_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
                new V1EnvVar { Name = "POD_NAMESPACE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
                new V1EnvVar { Name = "APP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels['app']" } } },
                new V1EnvVar { Name = "XDG_CACHE_HOME", Value = "/cache" },
                new V1EnvVar { Name = "GREETING", Value = "hello $(POD_NAME) on $(NODE_NAME)" },
            ],
        };
        IReadOnlyList<LocalMount> mounts = [new("/cache", "/state/pods/x/volumes/cache"), new("/models", "/state/claims/models")];

        var plan = ContainerLaunch.Compose(pod, container, ["/repo/model-runtime"], "127.10.0.5", "127.0.0.1", mounts, "/state/pods/x", _ => null);

        Assert.Equal("/repo/model-runtime", plan.Program);
        Assert.Equal(["serve", "--model", "/state/claims/models/mnist.onnx", "--cache=/state/pods/x/volumes/cache", "--name", "web-1", "$(literal)"], plan.Arguments);
        Assert.Equal("127.10.0.5", plan.Environment["POD_IP"]);
        Assert.Equal("127.10.0.5", plan.Environment["MODEL_RUNTIME_HOST"]);
        Assert.Equal("gpu-node-1", plan.Environment["NODE_NAME"]);
        Assert.Equal("team", plan.Environment["POD_NAMESPACE"]);
        Assert.Equal("web", plan.Environment["APP"]);
        Assert.Equal("/state/pods/x/volumes/cache", plan.Environment["XDG_CACHE_HOME"]);
        Assert.Equal("hello web-1 on gpu-node-1", plan.Environment["GREETING"]);
    }

    [Fact]
    public async Task Launch_RepositoryUnderAVolumesMountPath_KeepsItsHostPaths_WhileThePathsInTheVolumeAreRewritten()
    {
        // A clone under /tmp and the runtime pod's emptyDir at /tmp (as the operator's pods have): the model path names
        // the host mount (the repository), which a container sees at its own path; only paths in the volume move.
        var repository = Path.Combine(Path.GetTempPath(), $"clone-{Guid.NewGuid():N}");
        var podDirectory = Path.Combine(repository, ".devcluster", "pods", "mlp-0");
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "mlp-0" },
            Spec = new V1PodSpec { Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }], Containers = [] },
        };
        var model = $"{repository}/.artifacts/sample-models/mlp.onnx";
        var container = new V1Container
        {
            Name = "runtime",
            Args = ["serve", "--model", model, "--cache-dir=/tmp/cache", $"--from={repository}"],
            Env = [new V1EnvVar { Name = "TMPDIR", Value = "/tmp" }, new V1EnvVar { Name = "MODEL", Value = model }],
            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
        };
        try
        {
            var volumes = await PodVolumes.PrepareAsync(pod, podDirectory, Path.Combine(repository, ".devcluster"),
                new KubeletOptions { HostMounts = [repository] }, null!, null, CancellationToken.None);

            var plan = ContainerLaunch.Compose(pod, container, ["/repo/model-runtime"], "127.10.0.5", "127.0.0.1", volumes.MountsOf(container), podDirectory, _ => null);

            var tmp = Path.Combine(podDirectory, "volumes", "tmp");
            Assert.Equal(["serve", "--model", model, $"--cache-dir={tmp}/cache", $"--from={repository}"], plan.Arguments);
            Assert.Equal(tmp, plan.Environment["TMPDIR"]);
            Assert.Equal(model, plan.Environment["MODEL"]);
        }
        finally
        {
            if (Directory.Exists(repository)) Directory.Delete(repository, recursive: true);
        }
    }

    [Fact]
    public void Rewrite_IsOnePass_SoAVolumesLocalFolderIsNeverRewrittenByAnotherMount()
    {
        // /data's local folder lies under /tmp on this machine; a second pass for the /tmp volume would move it again.
        IReadOnlyList<LocalMount> mounts = [new("/data", "/tmp/state/pods/x/volumes/data"), new("/tmp", "/tmp/state/pods/x/volumes/tmp")];

        Assert.Equal("--data=/tmp/state/pods/x/volumes/data/a --tmp /tmp/state/pods/x/volumes/tmp/b",
            ContainerLaunch.Rewrite("--data=/data/a --tmp /tmp/b", mounts));
        Assert.Equal("/tmpfile /database", ContainerLaunch.Rewrite("/tmpfile /database", mounts));
    }

    [Fact]
    public void Launch_CommandReplacesTheEntrypoint_AndTheMappedProgramKeepsItsLocalPath()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [] } };

        var mapped = ContainerLaunch.Compose(pod, new V1Container { Name = "c", Command = ["model-runtime", "serve"], Args = ["--port", "8080"] },
            ["/repo/runtime/model-runtime", "--ignored"], "127.10.0.2", "127.0.0.1", [], "/p", _ => null);
        var other = ContainerLaunch.Compose(pod, new V1Container { Name = "c", Command = ["sh", "-c", "exit 3"] },
            ["/bin/busybox"], "127.10.0.2", "127.0.0.1", [], "/p", _ => null);

        // Compared item by item: a tuple holding arrays compares the arrays by reference.
        Assert.Equal("/repo/runtime/model-runtime", mapped.Program);
        Assert.Equal(["serve", "--port", "8080"], mapped.Arguments);
        Assert.Equal("sh", other.Program);
        Assert.Equal(["-c", "exit 3"], other.Arguments);
    }

    [Fact]
    public void Launch_RefusesEnvSourcesItCannotHonour_SayingWhich()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [] } };
        var container = new V1Container
        {
            Name = "c",
            Env = [new V1EnvVar { Name = "CPUS", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "limits.cpu" } } }],
        };

        var error = Assert.Throws<ContainerConfigException>(() => ContainerLaunch.Compose(pod, container, ["/bin/sh"], "127.10.0.2", "127.0.0.1", [], "/p", _ => null));

        Assert.Equal("container c: env CPUS: only value and valueFrom.fieldRef, configMapKeyRef and secretKeyRef are supported by the dev cluster's kubelet", error.Message);
    }

    [Theory]
    [InlineData(true, null, "True", null)]
    [InlineData(true, "False", "False", "the status of pod readiness gate \"serving.modeloperator.io/admitted\" is not \"True\", but False")]
    [InlineData(true, "missing", "False", "corresponding condition of pod readiness gate \"serving.modeloperator.io/admitted\" does not exist.")]
    [InlineData(true, "True", "True", null)]
    [InlineData(false, "True", "False", "containers with unready status: [runtime]")]
    public void Ready_NeedsReadyContainersAndEveryReadinessGate_KeepingConditionsOthersOwn(bool containerReady, string? gate, string ready, string? message)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "runtime" }],
                ReadinessGates = gate is null ? null : [new V1PodReadinessGate { ConditionType = "serving.modeloperator.io/admitted" }],
            },
            Status = new V1PodStatus
            {
                Conditions = gate is null or "missing" ? [] : [new V1PodCondition { Type = "serving.modeloperator.io/admitted", Status = gate }],
            },
        };
        var running = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = DateTime.UtcNow } };
        var snapshot = new ContainerSnapshot("runtime", "img", running, new V1ContainerState(), containerReady, true, 0, "devcluster://1", "/bin/sh", false);

        var status = PodStatusBuilder.Build(pod, [snapshot], "127.10.0.2", "127.0.0.1", terminating: false, DateTime.UtcNow);

        var condition = status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal((ready, message), (condition.Status, condition.Message));
        Assert.Equal("Running", status.Phase);
        if (gate is "True" or "False") Assert.Equal(gate, status.Conditions.Single(c => c.Type == "serving.modeloperator.io/admitted").Status);
    }
}
