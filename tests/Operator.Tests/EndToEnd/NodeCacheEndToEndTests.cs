using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// <c>spec.model.cache.node</c> on the dev cluster, with a real registry: the first pod on a node pulls the model into
/// the node's cache; a second pod of the same model on the same node starts from it, and the registry's own access log
/// shows it asked for nothing, while <c>status.modelSources</c> says cache hit, 0 bytes pulled. A copy damaged on the
/// node is caught by the next pod, which pulls the model again rather than serve it.
/// </summary>
[Trait("Category", "DevCluster")]
public sealed class NodeCacheEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PodStart = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task SecondPodOnTheNode_StartsFromTheNodeCache_WithZeroBytesFromTheRegistry_AndADamagedCopyIsPulledAgain()
    {
        await using var registry = await AccessLoggedRegistry.StartAsync();
        var reference = await registry.PushAsync(new Uri(DevClusterWithOperator.ModelUri("mnist-cnn")).LocalPath, "mnist", "1.0");
        var hostPath = DevClusterWithOperator.NodeCacheFolder();
        try
        {
            await using var cluster = await DevClusterWithOperator.StartAsync(output, o => o with { NodeCache = new NodeCacheSettings(hostPath) });
            await cluster.CreateAsync(DevClusterWithOperator.Model("cached", "mnist-cnn", s =>
            {
                s.Model.Uri = reference;
                s.Model.PlainHttp = true;
                s.Model.Cache = new ModelCacheSpec { Node = true };
                // Both pods on one node: the cache is the node's.
                s.Gpu!.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "cpu-node-1" };
            }));
            await cluster.StableAsync("cached");
            var first = await Eventually.ValueAsync(() => cluster.Model("cached").Status?.ModelSources?.SingleOrDefault(),
                "the first pod's model source in status.modelSources", PodStart);
            var firstPull = registry.Requests().Where(r => r is { Method: "GET", Status: 200 } && r.Path.Contains("/blobs/", StringComparison.Ordinal)).Sum(r => r.Bytes);
            var mark = registry.LineCount;

            await cluster.PatchSpecAsync("cached", new { replicas = new { min = 2, max = 2 } });
            var second = await Eventually.ValueAsync(() => cluster.Model("cached").Status?.ModelSources?.FirstOrDefault(m => m.Pod != first.Pod),
                "the second pod's model source in status.modelSources", PodStart);
            await Eventually.TrueAsync(() => cluster.ReadyPods("cached", cluster.Model("cached").Status!.StableRevision!) == 2, "two ready pods", PodStart);
            var afterSecond = registry.Requests(mark);

            output.WriteLine($"first pod {first.Pod}: cache={first.Cache} bytesPulled={first.BytesPulled} (registry sent {firstPull} blob bytes); " +
                $"second pod {second.Pod}: cache={second.Cache} bytesPulled={second.BytesPulled}; registry requests since: {afterSecond.Count}");
            Assert.Equal(("miss", "cpu-node-1"), (first.Cache, first.Node));
            Assert.True(first.BytesPulled > 0 && first.BytesPulled == firstPull, $"the first pod pulled {first.BytesPulled} bytes; the registry sent {firstPull}");
            Assert.Equal(("hit", 0L, "cpu-node-1"), (second.Cache, second.BytesPulled, second.Node));
            Assert.True(afterSecond.Count == 0, "the registry saw requests while the second pod started: " + string.Join("; ", afterSecond));
            Assert.True(cluster.Pods("cached").All(p => p.Spec.NodeName == "cpu-node-1"));
            var volume = cluster.Pods("cached")[0].Spec.Volumes.Single(v => v.HostPath is not null);
            Assert.Equal((hostPath, "DirectoryOrCreate"), (volume.HostPath.Path, volume.HostPath.Type));

            // Damage the cached model on the node (same size, other bytes), then start a third pod there.
            var layer = Directory.GetFiles(Path.Combine(hostPath, "blobs", "sha256")).OrderByDescending(f => new FileInfo(f).Length).First();
            var bytes = await File.ReadAllBytesAsync(layer);
            bytes[bytes.Length / 2] ^= 0xFF;
            await File.WriteAllBytesAsync(layer, bytes);
            mark = registry.LineCount;
            var known = cluster.Model("cached").Status!.ModelSources!.Select(m => m.Pod).ToHashSet();
            await cluster.PatchSpecAsync("cached", new { replicas = new { min = 3, max = 3 } });
            var third = await Eventually.ValueAsync(() => cluster.Model("cached").Status?.ModelSources?.FirstOrDefault(m => !known.Contains(m.Pod)),
                "the third pod's model source in status.modelSources", PodStart);
            var repulled = registry.Requests(mark).Where(r => r is { Method: "GET", Status: 200 } && r.Path.Contains("/blobs/", StringComparison.Ordinal)).Sum(r => r.Bytes);

            output.WriteLine($"third pod {third.Pod}: cache={third.Cache} bytesPulled={third.BytesPulled} reason={third.Reason}; registry sent {repulled} blob bytes");
            Assert.Equal("miss", third.Cache);
            Assert.Contains("has digest", third.Reason);
            Assert.True(third.BytesPulled > 0 && third.BytesPulled == repulled, $"the third pod pulled {third.BytesPulled} bytes; the registry sent {repulled}");
            Assert.Equal(bytes.Length, new FileInfo(layer).Length);
            Assert.NotEqual(bytes, await File.ReadAllBytesAsync(layer));
        }
        finally
        {
            Directory.Delete(hostPath, recursive: true);
        }
    }
}
