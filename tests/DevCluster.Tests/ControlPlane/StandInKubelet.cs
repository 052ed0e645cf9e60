using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

/// <summary>
/// Stands in for the kubelet in control-plane tests, through the API as the real one: gives each bound pod an IP
/// (127.11.x.y), marks it Running and Ready (or not, as the test says), finishes the removal of terminating pods
/// (the API double deletes pods gracefully, leaving that to the kubelet), and optionally serves HTTP on podIP:8080
/// answering the pod's name, so the service proxy has something real to balance across.
/// </summary>
internal sealed class StandInKubelet(bool serveHttp = false, TimeSpan? readyAfter = null, TimeSpan? terminationDelay = null) : IClusterComponent
{
    private readonly ConcurrentDictionary<string, DateTime> _terminatingSince = new();
    private static int _nextIp;
    private readonly ConcurrentDictionary<string, WebApplication> _servers = new();

    /// <summary>Terminating pods the test keeps terminating (their removal is not finished), by name.</summary>
    public ConcurrentDictionary<string, bool> HoldTermination { get; } = new();

    /// <summary>Pods the test has made unready, by name.</summary>
    public ConcurrentDictionary<string, bool> Unready { get; } = new();

    public string Name => "stand-in-kubelet";

    public async Task RunAsync(ClusterContext context, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try { await PassAsync(context.Client, ct); }
                catch (Exception) when (!ct.IsCancellationRequested) { }
                await Task.Delay(100, ct);
            }
        }
        finally
        {
            foreach (var server in _servers.Values) { await server.StopAsync(); await server.DisposeAsync(); }
        }
    }

    private async Task PassAsync(IKubernetes client, CancellationToken ct)
    {
        var pods = (await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct)).Items.Where(p => !string.IsNullOrEmpty(p.Spec.NodeName)).ToList();
        foreach (var gone in _servers.Keys.Except(pods.Select(p => p.Uid())).ToList())
            if (_servers.TryRemove(gone, out var server)) { await server.StopAsync(); await server.DisposeAsync(); }
        // As the kubelet: a terminating pod keeps serving for the termination delay (its graceful shutdown), then goes.
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is not null && !HoldTermination.ContainsKey(p.Name())))
            if (DateTime.UtcNow - _terminatingSince.GetOrAdd(pod.Uid(), DateTime.UtcNow) >= (terminationDelay ?? TimeSpan.Zero))
                await client.CoreV1.DeleteNamespacedPodAsync(pod.Name(), pod.Namespace(), gracePeriodSeconds: 0, cancellationToken: ct);
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is null))
        {
            var ip = pod.Status?.PodIP;
            if (string.IsNullOrEmpty(ip))
            {
                var n = Interlocked.Increment(ref _nextIp);
                ip = $"127.11.{n / 250}.{n % 250 + 1}";
            }
            if (serveHttp && !_servers.ContainsKey(pod.Uid())) _servers[pod.Uid()] = await ServeAsync(ip, pod.Name(), ct);
            var age = DateTime.UtcNow - (pod.Metadata.CreationTimestamp ?? DateTime.UtcNow);
            var ready = !Unready.ContainsKey(pod.Name()) && age >= (readyAfter ?? TimeSpan.Zero);
            var current = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True";
            if (pod.Status?.PodIP == ip && pod.Status?.Phase == "Running" && current == ready) continue;
            var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
            var status = new JsonObject
            {
                ["phase"] = "Running", ["podIP"] = ip, ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip }), ["hostIP"] = "127.0.0.2",
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False", ["lastTransitionTime"] = now }),
                ["containerStatuses"] = new JsonArray([.. pod.Spec.Containers.Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Name, ["image"] = c.Image, ["imageID"] = "", ["ready"] = ready, ["restartCount"] = 0, ["started"] = true,
                    ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
                })]),
            };
            await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(new JsonObject { ["status"] = status }.ToJsonString(), V1Patch.PatchType.StrategicMergePatch),
                pod.Name(), pod.Namespace(), cancellationToken: ct);
        }
    }

    private static async Task<WebApplication> ServeAsync(string ip, string podName, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Parse(ip), 8080));
        var app = builder.Build();
        app.Run(http => http.Request.Path == "/metrics"
            ? http.Response.WriteAsync($"# TYPE standin_requests_total counter\nstandin_requests_total{{pod=\"{podName}\"}} 1\n")
            : http.Response.WriteAsync(podName));
        await app.StartAsync(ct);
        return app;
    }
}
