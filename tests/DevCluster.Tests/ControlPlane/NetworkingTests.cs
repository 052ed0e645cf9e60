using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

public sealed class NetworkingTests
{
    [Fact]
    public async Task Endpoints_FollowReadinessAndTermination()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync();
        await cluster.ApplyAsync(ControlPlaneCluster.Deployment("web", 2) + "\n---\n" + ControlPlaneCluster.Service("web"));
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.SliceAsync("web"))?.Endpoints?.Count(e => e.Conditions.Ready == true) == 2, "two ready endpoints");
        var pods = await cluster.PodsAsync("app=web");

        cluster.Kubelet.Unready[pods[0].Name()] = true;
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.SliceAsync("web"))!.Endpoints.Single(e => e.TargetRef.Name == pods[0].Name()).Conditions.Ready == false,
            "the unready pod's endpoint to turn ready=false");
        var endpoints = await cluster.Client.CoreV1.ReadNamespacedEndpointsAsync("web", "default");
        Assert.Equal([pods[1].Status.PodIP], endpoints.Subsets.Single().Addresses.Select(a => a.Ip));
        Assert.Equal([pods[0].Status.PodIP], endpoints.Subsets.Single().NotReadyAddresses.Select(a => a.Ip));

        cluster.Kubelet.HoldTermination[pods[1].Name()] = true;
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(pods[1].Name(), "default");
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.SliceAsync("web"))!.Endpoints.SingleOrDefault(e => e.TargetRef.Name == pods[1].Name())?.Conditions
            is { Ready: false, Terminating: true, Serving: true }, "the terminating pod's endpoint to turn ready=false, terminating=true");
        endpoints = await cluster.Client.CoreV1.ReadNamespacedEndpointsAsync("web", "default");
        Assert.DoesNotContain(endpoints.Subsets ?? [], s => (s.Addresses ?? []).Any(a => a.Ip == pods[1].Status.PodIP));

        var get = await Kubectl.RunAsync(cluster.Kubeconfig, "get", "endpointslices");
        Assert.True(get.Code == 0, get.Err);
        Assert.Contains("IPv4", get.Out);
        Assert.Contains((await cluster.SliceAsync("web"))!.Name(), get.Out);
    }

    [Fact]
    public async Task ServiceProxy_BalancesAcrossReadyEndpoints_And503sWithNone()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync(serveHttp: true);
        await cluster.ApplyAsync(ControlPlaneCluster.Deployment("web", 3) + "\n---\n" + ControlPlaneCluster.Service("web"));
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync("web", "default");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{service.Spec.ClusterIP}:80/"), Timeout = TimeSpan.FromSeconds(10) };
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.SliceAsync("web"))?.Endpoints?.Count(e => e.Conditions.Ready == true) == 3, "three ready endpoints");
        var pods = (await cluster.PodsAsync("app=web")).Select(p => p.Name()).Order().ToList();
        await ControlPlaneCluster.UntilAsync(async () => await AnswersAsync(http, 3) is { Count: 3 }, "the proxy to route to all three pods");

        var answers = await AnswersAsync(http, 9);
        Assert.Equal(pods, answers.Keys.Order());
        Assert.All(answers.Values, count => Assert.Equal(3, count));

        cluster.Kubelet.Unready[pods[0]] = true;
        await ControlPlaneCluster.UntilAsync(async () => !(await AnswersAsync(http, 4)).ContainsKey(pods[0]), "the unready pod to leave rotation");
        answers = await AnswersAsync(http, 10);
        Assert.DoesNotContain(pods[0], answers.Keys);
        Assert.Equal(5, answers[pods[1]]);

        Assert.Equal(0, (await Kubectl.RunAsync(cluster.Kubeconfig, "scale", "deployment/web", "--replicas=0")).Code);
        await ControlPlaneCluster.UntilAsync(async () => (await http.GetAsync("")).StatusCode == HttpStatusCode.ServiceUnavailable, "503 with no ready endpoints");
        Assert.Contains("no ready endpoints", await (await http.GetAsync("")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PrometheusTargets_ListReadyPodsWithTheirLabels()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync();
        await cluster.ApplyAsync(ControlPlaneCluster.Deployment("web", 2));
        var file = Path.Combine(cluster.Host.Context.StateDirectory, "prometheus", "targets.json");
        await ControlPlaneCluster.UntilAsync(async () => File.Exists(file) && JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsArray().Count == 2, "two targets");
        var pods = await cluster.PodsAsync("app=web");

        var groups = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsArray();
        foreach (var pod in pods)
        {
            var group = groups.Single(g => g!["labels"]!["pod"]!.ToString() == pod.Name())!;
            Assert.Equal($"{pod.Status.PodIP}:8080", group["targets"]![0]!.ToString());
            Assert.Equal("default", group["labels"]!["namespace"]!.ToString());
            Assert.Equal(pod.Spec.NodeName, group["labels"]!["node"]!.ToString());
            Assert.Equal("web", group["labels"]!["app"]!.ToString());
            Assert.Equal(pod.Metadata.Labels["pod-template-hash"], group["labels"]!["pod_template_hash"]!.ToString());
        }

        cluster.Kubelet.Unready[pods[0].Name()] = true;
        await ControlPlaneCluster.UntilAsync(async () => JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsArray().Count == 1, "the unready pod to leave the targets");
    }

    [Fact]
    public async Task KubectlGetNodesWide_ShowsTheSimulatedNodes()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync();
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.Client.CoreV1.ListNodeAsync()).Items.Count == 3, "three nodes");

        var (code, output, error) = await Kubectl.RunAsync(cluster.Kubeconfig, "get", "nodes", "-o", "wide");

        Assert.True(code == 0, error);
        Assert.Contains("INTERNAL-IP", output);
        foreach (var node in new[] { "gpu-node-1", "gpu-node-2", "cpu-node-1" })
            Assert.Matches($@"{node}\s+Ready\s", output);
        var gpu = await cluster.Client.CoreV1.ReadNodeAsync("gpu-node-1");
        Assert.Equal("2", gpu.Status.Allocatable["nvidia.com/gpu"].ToString());
        Assert.Contains(gpu.Spec.Taints, t => t is { Key: "nvidia.com/gpu", Value: "present", Effect: "NoSchedule" });
        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("gpu-node-1", "kube-node-lease");
        Assert.Equal("gpu-node-1", lease.Spec.HolderIdentity);
    }

    private static async Task<Dictionary<string, int>> AnswersAsync(HttpClient http, int requests)
    {
        var answers = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            using var response = await http.GetAsync("");
            if (response.StatusCode != HttpStatusCode.OK) continue;
            var pod = await response.Content.ReadAsStringAsync();
            answers[pod] = answers.GetValueOrDefault(pod) + 1;
        }
        return answers;
    }
}
