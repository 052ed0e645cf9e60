using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>
/// The kubectl habits that go through the kubelet, with the stock kubectl against the dev cluster's pods run as
/// processes (the default): <c>kubectl exec</c> (WebSocket, v5.channel.k8s.io), <c>kubectl port-forward</c> to a pod
/// and to a Service (SPDY over WebSocket) answering inferences, and <c>kubectl top</c> (metrics.k8s.io).
/// </summary>
public sealed class KubectlStreamingTests
{
    [Fact]
    public async Task Exec_RunsTheCommandWithThePodsEnvironment_PrintsItsOutput_AndExitsWithItsExitCode()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        await cluster.CreateAsync(KubeletTestCluster.ShellPod("shell", "sleep 600"));
        await cluster.WaitForPodAsync("shell", p => p.Status?.Phase == "Running", "Running", TimeSpan.FromSeconds(180));

        var ok = await cluster.KubectlAsync("exec", "shell", "--", "sh", "-c", "echo uid=$(id -u) host=$HOSTNAME ip=$POD_IP; echo to-stderr >&2");
        var failed = await cluster.KubectlAsync("exec", "shell", "--", "sh", "-c", "echo before failing; exit 7");
        var missing = await cluster.KubectlAsync("exec", "shell", "--", "no-such-program");
        var piped = await RunKubectlAsync(cluster.Host.KubeconfigPath, "line one\nline two\n", "exec", "-i", "shell", "--", "wc", "-l");

        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("shell", "default");
        Assert.True(ok.Code == 0, ok.Output);
        Assert.Contains($"uid={Environment.GetEnvironmentVariable("UID") ?? (await IdAsync())} host=shell ip={pod.Status.PodIP}", ok.Output);
        Assert.Contains("to-stderr", ok.Output);
        Assert.Equal(7, failed.Code);
        Assert.Contains("before failing", failed.Output);
        Assert.Contains("command terminated with exit code 7", failed.Output);
        Assert.NotEqual(0, missing.Code);
        Assert.Contains("executable file not found", missing.Output);
        Assert.True(piped.Code == 0, piped.Output);
        Assert.Equal("2", piped.Output.Trim());
    }

    [Fact]
    public async Task Exec_InAContainerThatDoesNotRun_OrWithATty_IsRefusedWithAClearError()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        // A completed pod, written as a kubelet reports one (on no node, so that no kubelet runs it).
        var done = KubeletTestCluster.ShellPod("done", "exit 0", restartPolicy: "Never");
        done.Spec.NodeName = null;
        done = await cluster.CreateAsync(done);
        done.Status = new V1PodStatus { Phase = "Succeeded" };
        await cluster.Client.CoreV1.ReplaceNamespacedPodStatusAsync(done, "done", "default");
        var pending = KubeletTestCluster.ShellPod("shell", "sleep 600");
        pending.Spec.NodeName = null;
        await cluster.CreateAsync(pending);

        var completed = await cluster.KubectlAsync("exec", "done", "--", "true");
        using var http = new HttpClient();
        // kubectl drops -t itself when its stdin is no terminal; a client that asks for a TTY gets the API's refusal,
        // before anything would run.
        var tty = await http.GetAsync(new Uri(cluster.Host.Api.BaseAddress, "api/v1/namespaces/default/pods/shell/exec?command=sh&stdin=true&stdout=true&tty=true"));

        Assert.NotEqual(0, completed.Code);
        Assert.Contains("cannot exec into a container in a completed pod", completed.Output);
        Assert.Equal(400, (int)tty.StatusCode);
        Assert.Contains("does not allocate a TTY", await tty.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PortForward_ToTheRuntimePodAndItsService_AnswersInferences_AndTopListsItsUse()
    {
        await using var cluster = await KubeletTestCluster.StartAsync();
        var model = RepoPaths.Of(".artifacts", "sample-models", "mlp.onnx");
        Assert.True(File.Exists(model), $"sample model missing at {model}: run `make sample-models`");
        await cluster.CreateNodeAsync();
        await cluster.CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "mlp-0", Labels = new Dictionary<string, string> { ["app"] = "mlp" } },
            Spec = new V1PodSpec
            {
                NodeName = KubeletTestCluster.Node,
                Containers =
                [
                    new V1Container
                    {
                        Name = "runtime", Image = DefaultImages.RuntimeImage,
                        Args = ["serve", "--model", model, "--name", "mlp", "--port", "8080", "--grpc-port", "0", "--bench-iterations", "0"],
                        Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }],
                        ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/v2/health/ready", Port = "http" }, PeriodSeconds = 1 },
                    },
                ],
            },
        });
        await cluster.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "mlp" },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = "mlp" },
                Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = "http" }],
            },
        }, "default");
        await cluster.WaitForPodAsync("mlp-0", KubeletTestCluster.IsReady, "Ready through the readiness probe", TimeSpan.FromSeconds(120));

        await using (var toPod = await KubectlPortForward.StartAsync(cluster.Host.KubeconfigPath, "pod/mlp-0", ":8080"))
        {
            // Two clients, two connections: each is a pair of streams in kubectl's one tunnel.
            foreach (var _ in Enumerable.Range(0, 2))
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{toPod.LocalPort}") };
                Assert.Equal(200, (int)(await http.GetAsync("/v2/health/ready")).StatusCode);
            }
        }
        await using (var toService = await KubectlPortForward.StartAsync(cluster.Host.KubeconfigPath, "svc/mlp", ":80"))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{toService.LocalPort}") };
            var infer = await http.PostAsJsonAsync("/v2/models/mlp/infer", new
            {
                inputs = new[] { new { name = "features", shape = new[] { 1, 16 }, datatype = "FP32", data = Enumerable.Range(0, 16).Select(i => i / 16f).ToArray() } },
            });
            var answer = await infer.Content.ReadAsStringAsync();
            Assert.True(infer.IsSuccessStatusCode, answer);
            Assert.Contains("\"scores\"", answer);
        }

        // Nothing listens on the pod's port 9: the kubelet's error reaches kubectl, which says so and stops (no hang).
        await using (var nowhere = await KubectlPortForward.StartAsync(cluster.Host.KubeconfigPath, "pod/mlp-0", ":9"))
        {
            using var http = new HttpClient();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{nowhere.LocalPort}/"));
            var (code, errors) = await nowhere.ExitedAsync(TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, code);
            Assert.Contains("error forwarding port 9", errors);
        }

        var pods = await cluster.KubectlAsync("top", "pods");
        var nodes = await cluster.KubectlAsync("top", "nodes");
        var everywhere = await cluster.KubectlAsync("top", "pods", "-A", "-l", "app=mlp");
        var noneSelected = await cluster.KubectlAsync("top", "pods", "-l", "app=other");
        Assert.True(pods.Code == 0, pods.Output);
        var podLine = Regex.Match(pods.Output, @"^mlp-0\s+(\d+)m\s+(\d+)Mi\s*$", RegexOptions.Multiline);
        Assert.True(podLine.Success, pods.Output);
        Assert.True(int.Parse(podLine.Groups[2].Value) > 10, $"a loaded runtime uses more than 10 MiB: {pods.Output}");
        Assert.Matches(@"(?m)^default\s+mlp-0\s+\d+m\s+\d+Mi", everywhere.Output);
        Assert.DoesNotContain("mlp-0", noneSelected.Output);
        Assert.True(nodes.Code == 0, nodes.Output);
        var nodeLine = Regex.Match(nodes.Output, $@"^{KubeletTestCluster.Node}\s+(\d+)m\s+\d+%\s+(\d+)Mi\s+\d+%\s*$", RegexOptions.Multiline);
        Assert.True(nodeLine.Success, nodes.Output);
        Assert.True(int.Parse(nodeLine.Groups[2].Value) > 10, nodes.Output);
    }

    private static async Task<string> IdAsync() => (await RunKubectlProgramAsync("id", null, "-u")).Output.Trim();

    /// <summary>kubectl with <paramref name="stdin"/> on its standard input.</summary>
    private static Task<(int Code, string Output)> RunKubectlAsync(string kubeconfig, string stdin, params string[] args) =>
        RunKubectlProgramAsync(ControlPlane.Kubectl.Binary(), stdin, ["--kubeconfig", kubeconfig, .. args]);

    private static async Task<(int Code, string Output)> RunKubectlProgramAsync(string program, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
