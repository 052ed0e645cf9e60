using System.Net.Http.Json;
using k8s;
using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>The kubelet runs bound pods as real local processes, as a user sees it through the API and kubectl.</summary>
public sealed class KubeletPodTests
{
    private const string Gate = "serving.modeloperator.io/admitted";

    [Fact]
    public async Task RuntimePod_ServesOnItsOwnPodIp_AndTurnsReadyThroughItsReadinessProbe()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        var model = RepoPaths.Of(".artifacts", "sample-models", "mlp.onnx");
        Assert.True(File.Exists(model), $"sample model missing at {model}: run `make sample-models`");
        await cluster.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "mlp-0" },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.Node,
                Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],
                Containers =
                [
                    new V1Container
                    {
                        Name = "runtime", Image = DefaultImages.RuntimeImage,
                        Args = ["serve", "--model", model, "--name", "mlp", "--port", "8080", "--bench-batch", "1", "--bench-iterations", "3", "--bench-warmup", "1"],
                        Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }],
                        Env = [new V1EnvVar { Name = "TMPDIR", Value = "/tmp" }],
                        VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
                        ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/v2/health/ready", Port = "http" }, PeriodSeconds = 1 },
                    },
                ],
            },
        });

        var pod = await cluster.WaitForPodAsync("mlp-0", KubeletTestCluster.IsReady, "Ready through the readiness probe", TimeSpan.FromSeconds(120));

        Assert.StartsWith("127.10.", pod.Status.PodIP);
        Assert.NotEqual("127.0.0.1", pod.Status.PodIP);
        Assert.Equal("Running", pod.Status.Phase);
        Assert.True(KubeletTestCluster.MainContainer(pod)!.Started);
        using var http = new HttpClient();
        var ready = await http.GetAsync($"http://{pod.Status.PodIP}:8080/v2/health/ready");
        Assert.Equal(200, (int)ready.StatusCode);
        var metadata = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"http://{pod.Status.PodIP}:8080/v2/models/mlp");
        Assert.Equal("mlp", metadata.GetProperty("name").GetString());
        // Bound to the pod IP alone: the same port on an unused address of the pod range answers nothing (127.0.0.1 is
        // no witness: anything else on this machine may listen on 127.0.0.1:8080).
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync("http://127.10.255.254:8080/v2/health/ready"));
    }

    [Fact]
    public async Task Container_GetsDownwardApiEnvAndPodIp_AndKubectlLogsShowWhatItPrinted()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        var pod = KubeletTestCluster.ShellPod("env-0", "echo node=$NODE_NAME pod=$POD_NAME ns=$POD_NAMESPACE ip=$POD_IP bind=$MODEL_RUNTIME_HOST; echo to-stderr >&2; sleep 60");
        pod.Spec.Containers[0].Env =
        [
            new V1EnvVar { Name = "NODE_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
            new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            new V1EnvVar { Name = "POD_NAMESPACE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
        ];
        await cluster.CreateAsync(pod);
        var running = await cluster.WaitForPodAsync("env-0", KubeletTestCluster.IsReady, "Ready (no probes: ready once started)");

        string logs = "";
        await Eventually.TrueAsync(() => (logs = cluster.KubectlAsync("logs", "env-0").Result.Output).Contains("to-stderr"), "kubectl logs to show both lines");

        Assert.Contains($"node={KubeletTestCluster.Node} pod=env-0 ns=default ip={running.Status.PodIP} bind={running.Status.PodIP}", logs);
        // stdout and stderr are separate pipes, so which of the two lines is last depends on which the kubelet read first
        // (as with a real container runtime); --tail 1 must show that last line.
        Assert.Equal(logs.TrimEnd().Split('\n')[^1].Trim(), (await cluster.KubectlAsync("logs", "env-0", "-c", "main", "--tail", "1")).Output.Trim());
    }

    [Fact]
    public async Task ReadinessGate_KeepsReadyFalse_UntilItsConditionIsSetThroughPodStatus()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        var pod = KubeletTestCluster.ShellPod("gated-0", "sleep 60");
        pod.Spec.ReadinessGates = [new V1PodReadinessGate { ConditionType = Gate }];
        await cluster.CreateAsync(pod);

        var waiting = await cluster.WaitForPodAsync("gated-0", p => p.Status?.Conditions?.Any(c => c.Type == "ContainersReady" && c.Status == "True") == true,
            "ContainersReady True");
        var ready = waiting.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "ReadinessGatesNotReady"), (ready.Status, ready.Reason));

        // As the operator admits a pod: a strategic merge patch of pods/status adding only its own condition.
        var patch = $$$"""{"status":{"conditions":[{"type":"{{{Gate}}}","status":"True","reason":"Admitted"}]}}""";
        await cluster.Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "gated-0", "default");

        var admitted = await cluster.WaitForPodAsync("gated-0", KubeletTestCluster.IsReady, "Ready once the gate's condition is True");
        Assert.Equal("True", admitted.Status.Conditions.Single(c => c.Type == Gate).Status);
    }

    [Fact]
    public async Task FailingLivenessProbe_KillsAndRestartsTheContainer_WithUnhealthyAndKillingEvents()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        var pod = KubeletTestCluster.ShellPod("sick-0", "exec sleep 60");
        pod.Spec.Containers[0].LivenessProbe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = FreePort.Closed().ToString() }, PeriodSeconds = 1, FailureThreshold = 2,
        };
        pod.Spec.TerminationGracePeriodSeconds = 1;
        await cluster.CreateAsync(pod);

        var restarted = await cluster.WaitForPodAsync("sick-0", p => KubeletTestCluster.MainContainer(p)?.RestartCount >= 1, "a restart after the liveness probe failed");

        Assert.NotNull(KubeletTestCluster.MainContainer(restarted)!.LastState.Terminated);
        var events = await cluster.EventsAsync("sick-0");
        Assert.Contains(events, e => e.Reason == "Unhealthy" && e.Message.StartsWith("Liveness probe failed: Get \"http://"));
        Assert.Contains(events, e => e.Reason == "Killing" && e.Message.Contains("failed liveness probe, will be restarted"));
    }

    [Fact]
    public async Task CrashingContainer_RestartsWithBackOff_IntoCrashLoopBackOff_AndKeepsThePreviousLog()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        // Each run prints its number, counted in an emptyDir (whose mountPath the kubelet rewrites to a local folder).
        var pod = KubeletTestCluster.ShellPod("crash-0", "n=$(cat /data/runs 2>/dev/null || echo 0); echo run-$n; echo $((n+1)) > /data/runs; exit 3");
        pod.Spec.Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }];
        pod.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data" }];
        await cluster.CreateAsync(pod);

        var looping = await cluster.WaitForPodAsync("crash-0",
            p => KubeletTestCluster.MainContainer(p) is { RestartCount: >= 2, State.Waiting.Reason: "CrashLoopBackOff" }, "CrashLoopBackOff after two restarts");

        var status = KubeletTestCluster.MainContainer(looping)!;
        Assert.Equal(3, status.LastState.Terminated.ExitCode);
        Assert.Equal("Error", status.LastState.Terminated.Reason);
        Assert.Contains("back-off", status.State.Waiting.Message);
        Assert.Contains(await cluster.EventsAsync("crash-0"), e => e.Reason == "BackOff" && e.Type == "Warning");
        var previous = await cluster.KubectlAsync("logs", "crash-0", "--previous");
        Assert.Equal(0, previous.Code);
        var run = System.Text.RegularExpressions.Regex.Match(previous.Output, @"^run-(\d+)\n$");
        Assert.True(run.Success && int.Parse(run.Groups[1].Value) >= 1, $"kubectl logs --previous printed the log of an earlier run: {previous.Output}");
    }

    [Fact]
    public async Task EnvFromSecretKeyRef_ReachesTheProcess_AndAMissingSecretIsACreateContainerConfigError()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "s3-cred" },
            Data = new Dictionary<string, byte[]> { ["AWS_ACCESS_KEY_ID"] = "AKIATEST"u8.ToArray() },
        }, "default");
        static V1EnvVar FromSecret(string name, string secret, bool? optional = null) => new()
        {
            Name = name, ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = name, Optional = optional } },
        };
        var pod = KubeletTestCluster.ShellPod("env-0", "echo key=$AWS_ACCESS_KEY_ID token=${AWS_SESSION_TOKEN-unset}; exec sleep 60");
        pod.Spec.Containers[0].Env = [FromSecret("AWS_ACCESS_KEY_ID", "s3-cred"), FromSecret("AWS_SESSION_TOKEN", "s3-cred", optional: true)];
        var missing = KubeletTestCluster.ShellPod("env-1", "exec sleep 60");
        missing.Spec.Containers[0].Env = [FromSecret("AWS_ACCESS_KEY_ID", "no-such-secret")];
        await cluster.CreateAsync(pod);
        await cluster.CreateAsync(missing);

        await cluster.WaitForPodAsync("env-0", KubeletTestCluster.IsReady, "the pod with env from a Secret ready");
        var refused = await cluster.WaitForPodAsync("env-1", p => KubeletTestCluster.MainContainer(p)?.State?.Waiting?.Reason == "CreateContainerConfigError",
            "CreateContainerConfigError for the missing Secret");

        var logs = await Eventually.ValueAsync(async () => (await cluster.KubectlAsync("logs", "env-0")).Output is { Length: > 0 } output ? output : null,
            "the pod's first log line");
        Assert.Equal("key=AKIATEST token=unset\n", logs);
        Assert.Equal("secret \"no-such-secret\" not found", KubeletTestCluster.MainContainer(refused)!.State.Waiting.Message);
    }

    [Fact]
    public async Task EnvFromConfigMapAndSecret_ReachTheProcess_AndAMissingConfigMapIsACreateContainerConfigErrorUntilItIsCreated()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["MODE"] = "fast", ["LOG_LEVEL"] = "info" },
        }, "default");
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "creds" }, Data = new Dictionary<string, byte[]> { ["TOKEN"] = "t0ken"u8.ToArray() },
        }, "default");
        var pod = KubeletTestCluster.ShellPod("envfrom-0", "echo mode=$APP_MODE level=$LEVEL token=$TOKEN; exec sleep 60");
        pod.Spec.Containers[0].EnvFrom =
        [
            new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" }, Prefix = "APP_" },
            new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "creds" } },
        ];
        pod.Spec.Containers[0].Env =
            [new V1EnvVar { Name = "LEVEL", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "LOG_LEVEL" } } }];
        var missing = KubeletTestCluster.ShellPod("envfrom-1", "echo late=$LATE; exec sleep 60");
        missing.Spec.Containers[0].EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "later" } }];
        await cluster.CreateAsync(pod);
        await cluster.CreateAsync(missing);

        await cluster.WaitForPodAsync("envfrom-0", KubeletTestCluster.IsReady, "the pod with envFrom ready");
        var refused = await cluster.WaitForPodAsync("envfrom-1", p => KubeletTestCluster.MainContainer(p)?.State?.Waiting?.Reason == "CreateContainerConfigError",
            "CreateContainerConfigError for the missing ConfigMap");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "later" }, Data = new Dictionary<string, string> { ["LATE"] = "now" },
        }, "default");
        await cluster.WaitForPodAsync("envfrom-1", KubeletTestCluster.IsReady, "ready once its ConfigMap exists");

        Assert.Equal("configmap \"later\" not found", KubeletTestCluster.MainContainer(refused)!.State.Waiting.Message);
        var logs = await Eventually.ValueAsync(async () => (await cluster.KubectlAsync("logs", "envfrom-0")).Output is { Length: > 0 } output ? output : null, "envfrom-0's log");
        var late = await Eventually.ValueAsync(async () => (await cluster.KubectlAsync("logs", "envfrom-1")).Output is { Length: > 0 } output ? output : null, "envfrom-1's log");
        Assert.Equal("mode=fast level=info token=t0ken\n", logs);
        Assert.Equal("late=now\n", late);
    }

    [Fact]
    public async Task FallbackToLogsOnError_PutsTheLogTailIntoTheTerminatedState()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        // stdout and stderr are two pipes with no order between them: the pause lets the 100 lines reach the log before
        // the error, as a program's last error comes after what it printed before (without it the error could land first).
        var pod = KubeletTestCluster.ShellPod("fail-0", "for i in $(seq 1 100); do echo line-$i; done; sleep 1; echo 'cannot fetch the model' >&2; exit 1");
        pod.Spec.Containers[0].TerminationMessagePolicy = "FallbackToLogsOnError";
        var plain = KubeletTestCluster.ShellPod("fail-1", "echo 'cannot fetch the model'; exit 1");
        await cluster.CreateAsync(pod);
        await cluster.CreateAsync(plain);

        var failed = await cluster.WaitForPodAsync("fail-0", p => KubeletTestCluster.MainContainer(p)?.LastState?.Terminated is not null, "a terminated last state");
        var other = await cluster.WaitForPodAsync("fail-1", p => KubeletTestCluster.MainContainer(p)?.LastState?.Terminated is not null, "a terminated last state");

        var lines = KubeletTestCluster.MainContainer(failed)!.LastState.Terminated.Message.Split('\n');
        Assert.Equal(80, lines.Length);
        Assert.Contains("cannot fetch the model", lines);
        Assert.Contains("line-100", lines);
        Assert.Null(KubeletTestCluster.MainContainer(other)!.LastState.Terminated.Message);
    }

    [Fact]
    public async Task OnFailureContainer_ThatSucceeds_EndsThePodSucceeded()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        await cluster.CreateAsync(KubeletTestCluster.ShellPod("job-0", "echo done", restartPolicy: "OnFailure"));

        var done = await cluster.WaitForPodAsync("job-0", p => p.Status?.Phase == "Succeeded", "phase Succeeded");

        Assert.Equal(0, KubeletTestCluster.MainContainer(done)!.State.Terminated.ExitCode);
        Assert.Equal(0, KubeletTestCluster.MainContainer(done)!.RestartCount);
    }

    [Fact]
    public async Task DeletingAPod_MarksItNotReady_SendsSigterm_ThenRemovesIt()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        await cluster.CreateAsync(KubeletTestCluster.ShellPod("graceful-0", "trap 'echo got SIGTERM; exit 0' TERM; echo started; while true; do sleep 0.1; done"));
        var running = await cluster.WaitForPodAsync("graceful-0", KubeletTestCluster.IsReady, "Ready");
        var log = new PodLogDirectory(KubeletComponent.LogRoot(cluster.Host.Context.StateDirectory))
            .LogFile("default", "graceful-0", running.Metadata.Uid, "main", 0);
        await Eventually.TrueAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("started"), "the shell to have set its SIGTERM trap");
        var seen = new List<(WatchEventType Type, bool Ready)>();
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watch = Task.Run(async () =>
        {
            await foreach (var (type, pod) in cluster.Client.CoreV1.WatchListNamespacedPodAsync("default", fieldSelector: "metadata.name=graceful-0",
                resourceVersion: running.Metadata.ResourceVersion, cancellationToken: watching.Token))
            {
                seen.Add((type, KubeletTestCluster.IsReady(pod)));
                if (type == WatchEventType.Deleted) return;
            }
        });

        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("graceful-0", "default");
        await cluster.WaitForRemovalAsync("graceful-0");
        await Eventually.WithinAsync(watch.ContinueWith(_ => true), "the watch to see the pod's DELETED event");

        var firstNotReady = seen.FindIndex(e => !e.Ready);
        Assert.True(firstNotReady >= 0 && firstNotReady < seen.Count - 1, $"the pod was reported not ready before it was removed: {string.Join(", ", seen)}");
        Assert.Equal("started\ngot SIGTERM\n", await File.ReadAllTextAsync(log));
        Assert.Contains(await cluster.EventsAsync("graceful-0"), e => e.Reason == "Killing" && e.Message == "Stopping container main");
    }

    [Fact]
    public async Task UnknownImage_WaitsWithErrImagePullThenImagePullBackOff_NamingTheImage()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        var pod = KubeletTestCluster.ShellPod("nope-0", "true");
        pod.Spec.Containers[0].Image = "registry.example/nope:1";
        await cluster.CreateAsync(pod);

        var pulling = await cluster.WaitForPodAsync("nope-0", p => KubeletTestCluster.MainContainer(p)?.State?.Waiting?.Reason == "ErrImagePull", "ErrImagePull");
        var backOff = await cluster.WaitForPodAsync("nope-0", p => KubeletTestCluster.MainContainer(p)?.State?.Waiting?.Reason == "ImagePullBackOff", "ImagePullBackOff");

        Assert.Contains("registry.example/nope:1", KubeletTestCluster.MainContainer(pulling)!.State.Waiting.Message);
        Assert.Contains("registry.example/nope:1", KubeletTestCluster.MainContainer(backOff)!.State.Waiting.Message);
        Assert.Equal("Pending", backOff.Status.Phase);
        var describe = await cluster.KubectlAsync("describe", "pod", "nope-0");
        Assert.Contains("ErrImagePull", describe.Output);
    }

    [Fact]
    public async Task StoppingTheCluster_LeavesNoProcessBehind_GrandchildrenIncluded()
    {
        var cluster = await KubeletTestCluster.StartAsync();
        await cluster.CreateAsync(KubeletTestCluster.ShellPod("family-0", "sleep 300 & sleep 300 & trap '' TERM; wait"));
        await cluster.WaitForPodAsync("family-0", KubeletTestCluster.IsReady, "Ready");
        var groups = cluster.Kubelet.ProcessGroups();
        Assert.NotEmpty(groups);

        await cluster.DisposeAsync();

        Assert.All(groups, g => Assert.False(ProcessGroupAlive(g), $"process group {g} still has live processes after the cluster stopped"));
    }

    private static bool ProcessGroupAlive(int group) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).Any(pid =>
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields[0] is not ("Z" or "X") && fields[2] == group.ToString();
            }
            catch (IOException) { return false; }
        });
}
