using System.Net;

namespace ModelOperator.DevCluster.Tests.EndToEnd;

/// <summary>
/// The real kubelet and real runtime pods: a pod deleted while requests flow through the Service's cluster IP is
/// reported not ready, leaves the endpoints during the drain delay, and only then gets SIGTERM, so no request fails.
/// </summary>
public sealed class GracefulDeletionUnderLoadTests
{
    [Fact]
    public async Task RuntimePodDeletedUnderLoad_ThroughTheClusterIp_CostsNoFailedRequest()
    {
        await using var cluster = await OperatorOnDevCluster.StartAsync();
        await cluster.ApplyAsync(OperatorOnDevCluster.ModelDeploymentYaml("mlp", "mlp.onnx", gpus: 1, replicas: 2));
        await cluster.KubectlAsync("wait", "--for=condition=Ready", "mdep/mlp", "--timeout=180s");
        var clusterIp = await cluster.KubectlAsync("get", "service", "mlp", "-o", "jsonpath={.spec.clusterIP}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{clusterIp}:8080/"), Timeout = TimeSpan.FromSeconds(30) };
        var victim = (await cluster.PodRowsAsync("serving.modeloperator.io/name=mlp"))[0]["NAME"];

        using var stopLoad = new CancellationTokenSource();
        int ok = 0;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.PostAsync("v2/models/mlp/infer", OperatorOnDevCluster.MlpInferRequest());
                    if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
                    else failures.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                catch (HttpRequestException e) { failures.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {e.Message}"); }
            }
        })));
        var beforeDelete = 0;
        await Eventually.TrueAsync(() => (beforeDelete = Volatile.Read(ref ok)) > 20, "the load loop to get answers through the cluster IP");

        await cluster.KubectlAsync("delete", "pod", victim, "--wait=true");
        await cluster.KubectlAsync("wait", "--for=condition=Ready", "pod", "-l", "serving.modeloperator.io/name=mlp", "--timeout=180s");
        await stopLoad.CancelAsync();
        await load;

        var rows = await cluster.PodRowsAsync("serving.modeloperator.io/name=mlp");
        Assert.DoesNotContain(rows, r => r["NAME"] == victim);
        Assert.Equal(2, rows.Count(r => r["READY"] == "1/1"));
        Assert.True(failures.IsEmpty, $"{failures.Count} request(s) failed while the pod was deleted: {string.Join("; ", failures.Take(5))}");
        Assert.True(ok > beforeDelete, "no request was answered after the deletion began");
    }
}
