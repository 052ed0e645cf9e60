using System.Net;
using System.Text.Json.Nodes;

namespace ModelOperator.DevCluster.Tests.EndToEnd;

/// <summary>
/// A ModelDeployment applied with kubectl runs real runtime pods on the dev cluster: scheduled, started, benchmarked
/// on their node, admitted by the operator through the readiness gate, Ready, in the EndpointSlice, and answering
/// inference through the Service's cluster IP.
/// </summary>
public sealed class ModelDeploymentEndToEndTests
{
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromMinutes(3);

    // Guards against the first smoke run's failure: the operator's runtime pods restarted and never became Ready.
    [Fact]
    public async Task AppliedModelDeployment_RunsReadyPodsOnGpuNodes_ReportsBenchmarksPerNode_AndAnswersThroughTheClusterIp()
    {
        await using var cluster = await OperatorOnDevCluster.StartAsync();

        await cluster.ApplyAsync(OperatorOnDevCluster.ModelDeploymentYaml("mlp", "mlp.onnx", gpus: 1, replicas: 2));
        await cluster.KubectlAsync("wait", "--for=condition=Ready", "mdep/mlp", $"--timeout={(int)ReadyWithin.TotalSeconds}s");

        var rows = await cluster.PodRowsAsync("serving.modeloperator.io/name=mlp");
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("1/1", r["READY"]));
        Assert.All(rows, r => Assert.Equal("Running", r["STATUS"]));
        Assert.All(rows, r => Assert.Equal("0", r["RESTARTS"]));
        Assert.All(rows, r => Assert.StartsWith("127.10.", r["IP"]));
        Assert.All(rows, r => Assert.StartsWith("gpu-node-", r["NODE"]));
        Assert.Equal(2, rows.Select(r => r["NODE"]).Distinct().Count()); // one GPU each: spread over both GPU nodes

        var md = await cluster.ModelDeploymentAsync("mlp");
        Assert.Equal("Serving", md["status"]!["phase"]!.ToString());
        Assert.Equal(2, (int)md["status"]!["readyReplicas"]!);
        var benchmarked = md["status"]!["benchmarks"]!.AsArray().Select(b => b!["node"]!.ToString()).Distinct().Order();
        Assert.Equal(rows.Select(r => r["NODE"]).Order(), benchmarked);

        var slices = JsonNode.Parse(await cluster.KubectlAsync("get", "endpointslices", "-l", "kubernetes.io/service-name=mlp", "-o", "json"))!;
        var readyAddresses = slices["items"]!.AsArray().SelectMany(s => s!["endpoints"]!.AsArray())
            .Where(e => (bool?)e!["conditions"]?["ready"] == true).Select(e => e!["addresses"]![0]!.ToString()).Order();
        Assert.Equal(rows.Select(r => r["IP"]).Order(), readyAddresses);

        var clusterIp = await cluster.KubectlAsync("get", "service", "mlp", "-o", "jsonpath={.spec.clusterIP}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{clusterIp}:8080/") };
        var response = await http.PostAsync("v2/models/mlp/infer", OperatorOnDevCluster.MlpInferRequest());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"inference through the cluster IP answered {(int)response.StatusCode}: {body}");
        var output = JsonNode.Parse(body)!["outputs"]![0]!;
        Assert.Equal("scores", output["name"]!.ToString());
        Assert.Equal(4, output["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task CpuModelDeployment_RunsOnTheCpuNode_AndKubectlShowsItsEventsAndLogs()
    {
        await using var cluster = await OperatorOnDevCluster.StartAsync();

        await cluster.ApplyAsync(OperatorOnDevCluster.ModelDeploymentYaml("cnn", "mnist-cnn.onnx", gpus: 0, replicas: 1));
        await cluster.KubectlAsync("wait", "--for=condition=Ready", "mdep/cnn", $"--timeout={(int)ReadyWithin.TotalSeconds}s");

        var pod = Assert.Single(await cluster.PodRowsAsync("serving.modeloperator.io/name=cnn"));
        Assert.Equal("1/1", pod["READY"]);
        Assert.Equal("cpu-node-1", pod["NODE"]); // without a GPU toleration the tainted GPU nodes are out
        var describe = await cluster.KubectlAsync("describe", "pod", pod["NAME"]);
        Assert.Contains("Successfully assigned default/" + pod["NAME"] + " to cpu-node-1", describe);
        Assert.Contains("Started container runtime", describe);
        Assert.Matches(@"serving\.modeloperator\.io/admitted\s+True", describe);
        var logs = await cluster.KubectlAsync("logs", pod["NAME"]);
        Assert.Contains("Benchmarked model cnn", logs);
    }
}
