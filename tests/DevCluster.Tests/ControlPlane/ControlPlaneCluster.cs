using k8s;
using k8s.Models;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

/// <summary>A dev cluster running the control plane with a <see cref="StandInKubelet"/>, plus helpers to drive it.</summary>
internal sealed class ControlPlaneCluster : IAsyncDisposable
{
    private ControlPlaneCluster(DevClusterHost host, StandInKubelet kubelet)
    {
        Host = host;
        Kubelet = kubelet;
    }

    public DevClusterHost Host { get; }
    public StandInKubelet Kubelet { get; }
    public Kubernetes Client => Host.Client;
    public string Kubeconfig => Host.KubeconfigPath;

    public static async Task<ControlPlaneCluster> StartAsync(bool serveHttp = false, TimeSpan? readyAfter = null, TimeSpan? terminationDelay = null)
    {
        var kubelet = new StandInKubelet(serveHttp, readyAfter, terminationDelay);
        var host = await DevClusterHost.StartAsync(new DevClusterOptions { NodeHeartbeat = TimeSpan.FromSeconds(2) },
            components: [.. ClusterComponents.ControlPlane(), kubelet]);
        return new ControlPlaneCluster(host, kubelet);
    }

    public async Task<string> ApplyAsync(string yaml)
    {
        var file = Path.Combine(Host.Context.StateDirectory, $"apply-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        var (code, output, error) = await Kubectl.RunAsync(Kubeconfig, "apply", "-f", file);
        Assert.True(code == 0, $"kubectl apply failed: {error}");
        return output;
    }

    public async Task<List<V1Pod>> PodsAsync(string selector) =>
        [.. (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: selector)).Items];

    public async Task<V1EndpointSlice?> SliceAsync(string service) =>
        (await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: $"kubernetes.io/service-name={service}")).Items.SingleOrDefault();

    /// <summary>Polls until <paramref name="probe"/> holds (at most 60 s), failing with what was awaited.</summary>
    public static async Task UntilAsync(Func<Task<bool>> probe, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await probe())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after 60s waiting for {what}");
            await Task.Delay(100);
        }
    }

    public static string Deployment(string name, int replicas, string image = "example/web:1", string strategy = "") => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {"{"}name: {name}{"}"}
        spec:
          replicas: {replicas}
          selector: {"{"}matchLabels: {"{"}app: {name}{"}}"}
          {strategy}
          template:
            metadata: {"{"}labels: {"{"}app: {name}{"}}"}
            spec:
              containers:
              - name: web
                image: {image}
                ports: [{"{"}name: http, containerPort: 8080{"}"}]
        """;

    public static string Service(string name) => $"""
        apiVersion: v1
        kind: Service
        metadata: {"{"}name: {name}{"}"}
        spec:
          selector: {"{"}app: {name}{"}"}
          ports: [{"{"}name: http, port: 80, targetPort: http{"}"}]
        """;

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
