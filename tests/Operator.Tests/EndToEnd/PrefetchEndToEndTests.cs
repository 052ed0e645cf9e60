using k8s;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// <c>spec.model.cache.prefetch</c> on the dev cluster, with a real registry: a parked model (scaled to 0) is pulled into
/// the node's cache by the operator's prefetch pod, <c>status.prefetch</c> says Pulled for the node; the model's first
/// runtime pod there then reports a cache hit with 0 bytes pulled, and the registry's own log shows it asked for nothing.
/// </summary>
[Trait("Category", "DevCluster")]
public sealed class PrefetchEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PodStart = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Prefetch_PullsTheModelOntoTheNodeBeforeAnyPod_SoTheFirstRuntimePodThereIsACacheHit()
    {
        await using var registry = await AccessLoggedRegistry.StartAsync();
        var reference = await registry.PushAsync(new Uri(DevClusterWithOperator.ModelUri("mnist-cnn")).LocalPath, "mnist", "1.0");
        var hostPath = DevClusterWithOperator.NodeCacheFolder();
        try
        {
            await using var cluster = await DevClusterWithOperator.StartAsync(output, o => o with { NodeCache = new NodeCacheSettings(hostPath) });
            await cluster.CreateAsync(DevClusterWithOperator.Model("prefetched", "mnist-cnn", s =>
            {
                s.Model.Uri = reference;
                s.Model.PlainHttp = true;
                s.Model.Cache = new ModelCacheSpec { Node = true, Prefetch = true };
                s.Gpu!.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "cpu-node-1" };
                s.Replicas = new ReplicasSpec { Min = 1, Max = 1, Count = 0 }; // parked: no runtime pod yet
            }));

            var pulled = await Eventually.ValueAsync(() => cluster.Model("prefetched").Status?.Prefetch?.SingleOrDefault(p => p.State == "Pulled"),
                "status.prefetch saying the node cache of cpu-node-1 holds the model", PodStart);
            var prefetchPod = (await cluster.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"{WellKnown.PrefetchForLabel}=prefetched")).Items.Single();
            var prefetched = registry.Requests().Where(r => r is { Method: "GET", Status: 200 } && r.Path.Contains("/blobs/", StringComparison.Ordinal)).Sum(r => r.Bytes);
            var mark = registry.LineCount;
            Assert.Empty(cluster.Pods("prefetched"));

            await cluster.PatchSpecAsync("prefetched", new { replicas = new { count = 1 } });
            var first = await Eventually.ValueAsync(() => cluster.Model("prefetched").Status?.ModelSources?.SingleOrDefault(),
                "the first runtime pod's model source in status.modelSources", PodStart);
            var afterPrefetch = registry.Requests(mark);

            output.WriteLine($"prefetch pod {prefetchPod.Metadata.Name} on {pulled.Node}: {pulled.State} (registry sent {prefetched} blob bytes); " +
                $"first runtime pod {first.Pod}: cache={first.Cache} bytesPulled={first.BytesPulled}; registry requests since: {afterPrefetch.Count}");
            Assert.Equal(("cpu-node-1", "Succeeded", "OnFailure"), (prefetchPod.Spec.NodeName, prefetchPod.Status.Phase, prefetchPod.Spec.RestartPolicy));
            Assert.DoesNotContain(prefetchPod.Spec.Containers, c => c.Resources?.Limits?.ContainsKey(WellKnown.GpuResource) == true);
            Assert.True(prefetched > 0, "the prefetch pod pulled nothing from the registry");
            Assert.Equal(("hit", 0L, "cpu-node-1"), (first.Cache, first.BytesPulled, first.Node));
            Assert.True(afterPrefetch.Count == 0, "the registry saw requests while the first runtime pod started: " + string.Join("; ", afterPrefetch));
        }
        finally
        {
            Directory.Delete(hostPath, recursive: true);
        }
    }
}
