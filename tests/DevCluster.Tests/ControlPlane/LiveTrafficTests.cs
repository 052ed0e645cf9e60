using System.Diagnostics;
using k8s;
using k8s.Models;
using System.Net;
using System.Text.Json.Nodes;
using ModelOperator.DevCluster.Prometheus;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

public sealed class LiveTrafficTests
{
    [Fact]
    public async Task PodDeletedUnderLoad_ThroughTheClusterIP_CostsNoFailedRequest()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync(serveHttp: true, terminationDelay: TimeSpan.FromSeconds(1));
        await cluster.ApplyAsync(ControlPlaneCluster.Deployment("web", 2) + "\n---\n" + ControlPlaneCluster.Service("web"));
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync("web", "default");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{service.Spec.ClusterIP}:80/"), Timeout = TimeSpan.FromSeconds(10) };
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.SliceAsync("web"))?.Endpoints?.Count(e => e.Conditions.Ready == true) == 2, "two ready endpoints");
        await ControlPlaneCluster.UntilAsync(async () => (await http.GetAsync("")).IsSuccessStatusCode, "the proxy to answer");
        var victim = (await cluster.PodsAsync("app=web"))[0].Name();

        using var stopLoad = new CancellationTokenSource();
        int ok = 0, failed = 0;
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                try { if ((await http.GetAsync("")).IsSuccessStatusCode) Interlocked.Increment(ref ok); else Interlocked.Increment(ref failed); }
                catch (HttpRequestException) { Interlocked.Increment(ref failed); }
            }
        })));
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync(victim, "default");
        await ControlPlaneCluster.UntilAsync(async () => (await cluster.PodsAsync("app=web")).Count(p => p.Metadata.DeletionTimestamp is null
            && p.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true) == 2 && (await cluster.PodsAsync("app=web")).All(p => p.Name() != victim),
            "the replacement pod to be ready and the deleted one gone");
        await stopLoad.CancelAsync();
        await load;

        Assert.Equal(0, failed);
        Assert.True(ok > 0, "no request was made");
    }

    [Fact]
    public async Task RealPrometheus_ScrapesThePodsFromTheTargetsFile()
    {
        await using var cluster = await ControlPlaneCluster.StartAsync(serveHttp: true);
        await cluster.ApplyAsync(ControlPlaneCluster.Deployment("web", 2));
        var dir = Path.Combine(cluster.Host.Context.StateDirectory, "prometheus");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "prometheus.yml"), PrometheusConfig.Render(Path.Combine(dir, "targets.json")));
        var port = FreePort.Next();
        var info = new ProcessStartInfo("/usr/bin/prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { $"--config.file={Path.Combine(dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
            info.ArgumentList.Add(arg);
        using var prometheus = Process.Start(info)!;
        prometheus.OutputDataReceived += (_, _) => { };
        prometheus.ErrorDataReceived += (_, _) => { };
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            JsonArray? series = null;
            await ControlPlaneCluster.UntilAsync(async () =>
            {
                try
                {
                    var body = JsonNode.Parse(await http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString("up{job=\"devcluster-pods\"} == 1")))!;
                    series = body["data"]?["result"]?.AsArray();
                    return series?.Count == 2;
                }
                catch (HttpRequestException) { return false; }
            }, "Prometheus to scrape both pods (up == 1)");

            var pods = await cluster.PodsAsync("app=web");
            Assert.Equal(pods.Select(p => p.Name()).Order(), series!.Select(s => s!["metric"]!["pod"]!.ToString()).Order());
            Assert.All(series!, s => Assert.Equal("web", s!["metric"]!["app"]!.ToString()));
            Assert.All(series!, s => Assert.Equal("default", s!["metric"]!["namespace"]!.ToString()));
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
        }
    }
}
