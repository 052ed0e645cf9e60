using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// A model scaled to zero woken from a real registry, twice on the same node: first with the node's model cache empty
/// (the pod pulls the model), then, after it idles to zero again, from the cache (nothing pulled: the registry's own
/// access log shows no request). Every held request is answered. Also the figures of <c>make bench-coldstart</c>:
/// .artifacts/bench-coldstart.json and the table in .artifacts/bench-coldstart.txt.
/// </summary>
[Trait("Category", "DevCluster")]
public sealed class ColdStartFromRegistryEndToEndTests(ITestOutputHelper output)
{
    private const string Name = "deep-mlp";
    private const string Node = "cpu-node-1";
    private const int Held = 4;
    private const double TargetWarmCacheSeconds = 3; // the target for a small model with a warm cache; reported, not asserted
    private static readonly TimeSpan PodStart = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task AModelAtZero_WakesFromAnEmptyNodeCache_ThenFromTheCacheWithZeroBytesPulled_EveryHeldRequestAnswered()
    {
        await using var registry = await AccessLoggedRegistry.StartAsync();
        var reference = await registry.PushAsync(new Uri(DevClusterWithOperator.ModelUri(Name)).LocalPath, Name, "1.0");
        var hostPath = DevClusterWithOperator.NodeCacheFolder();
        try
        {
            await using var env = await DevClusterWithOperator.StartWithActivatorAsync(output, o => o with { NodeCache = new NodeCacheSettings(hostPath) });
            await env.CreateAsync(DevClusterWithOperator.Model(Name, Name, s =>
            {
                s.Model.Uri = reference;
                s.Model.PlainHttp = true;
                s.Model.Cache = new ModelCacheSpec { Node = true };
                // Every pod on one node: the cache is the node's.
                s.Gpu!.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = Node };
                s.Replicas = new ReplicasSpec { Min = 0, Max = 1 };
                s.Autoscaling = new AutoscalingSpec
                {
                    TargetMs = 1000, Window = "3s",
                    ScaleToZero = new ScaleToZeroSpec { IdleAfter = "3s", MaxHeldRequests = Held, ColdStartTimeout = "90s" },
                };
            }));
            await Eventually.TrueAsync(async () => (await env.ReadyPodsAsync(Name)).Count == 1, "the first pod to be admitted and Ready", PodStart);
            var (expected, warmP95Ms) = await InferenceLoad.WarmP95Async(await env.ServingInferUriAsync(Name));
            var url = new Uri(await env.ServiceUrlAsync(Name), $"v2/models/{Name}/infer");

            // The first pod filled the cache; a node that never ran the model has none, so empty it while no pod runs.
            await IdleToZeroAsync(env);
            foreach (var entry in new DirectoryInfo(hostPath).EnumerateFileSystemInfos())
                if (entry is DirectoryInfo dir) dir.Delete(recursive: true); else entry.Delete();
            var cold = await WakeAsync(env, registry, url, expected, null);

            await IdleToZeroAsync(env);
            var warm = await WakeAsync(env, registry, url, expected, cold.ColdStart.RequestedAt);

            var rows = new[] { ("cold cache", cold), ("warm cache", warm) };
            var table = Table(rows, warmP95Ms);
            output.WriteLine(table);
            Directory.CreateDirectory(RepoPaths.Of(".artifacts"));
            File.WriteAllText(RepoPaths.Of(".artifacts", "bench-coldstart.txt"), table);
            File.WriteAllText(RepoPaths.Of(".artifacts", "bench-coldstart.json"), System.Text.Json.JsonSerializer.Serialize(new
            {
                model = Name, modelBytes = new FileInfo(new Uri(DevClusterWithOperator.ModelUri(Name)).LocalPath).Length, source = "oci:// (docker-registry on loopback), spec.model.cache.node: true",
                heldRequests = Held, warmP95Ms = Math.Round(warmP95Ms, 2), targetWarmCacheSeconds = TargetWarmCacheSeconds,
                coldCache = Figures(cold, warmP95Ms), warmCache = Figures(warm, warmP95Ms),
            }, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");

            Assert.Equal((0, 0), (cold.Failed, warm.Failed));
            Assert.Equal(("miss", Node), (cold.Source.Cache, cold.Source.Node));
            Assert.True(cold.Source.BytesPulled > 0 && cold.Source.BytesPulled == cold.RegistryBlobBytes,
                $"the cold-cache pod pulled {cold.Source.BytesPulled} bytes; the registry sent {cold.RegistryBlobBytes}");
            Assert.Equal(("hit", 0L, Node), (warm.Source.Cache, warm.Source.BytesPulled, warm.Source.Node));
            Assert.True(warm.RegistryRequests.Count == 0, "the registry saw requests while the warm-cache pod started: " + string.Join("; ", warm.RegistryRequests));
        }
        finally
        {
            Directory.Delete(hostPath, recursive: true);
        }
    }

    /// <summary>One cold start: the requests held at zero, when they were answered, what the pod pulled and status.coldStart.</summary>
    private sealed record Wake(TimeSpan FirstAnswer, TimeSpan LastAnswer, int Failed, ModelSourceRecord Source, long RegistryBlobBytes,
        IReadOnlyList<(string Method, string Path, int Status, long Bytes)> RegistryRequests, ColdStartRecord ColdStart);

    // Sends Held requests at once to the model at zero; every one must be answered with the warm answer.
    private async Task<Wake> WakeAsync(DevClusterWithOperator env, AccessLoggedRegistry registry, Uri url, string expected, DateTime? previousColdStart)
    {
        var mark = registry.LineCount;
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, Held).Select(async _ => (Answer: await PostAsync(url), At: clock.Elapsed)));
        var pod = (await env.ReadyPodsAsync(Name)).Single().Metadata.Name;
        var source = await Eventually.ValueAsync(() => env.Model(Name).Status?.ModelSources?.SingleOrDefault(m => m.Pod == pod),
            $"the woken pod {pod}'s model source in status.modelSources", TimeSpan.FromSeconds(30));
        // With the pod's own split of load and benchmark (it arrives with the pod's report, at its admission).
        var coldStart = await Eventually.ValueAsync(async () => (await env.ModelAsync(Name)).Status?.ColdStart is { FetchSeconds: not null } c && c.RequestedAt != previousColdStart ? c : null,
            "status.coldStart of this cold start, with the pod's process, fetch, load and benchmark seconds", TimeSpan.FromSeconds(30));
        var requests = registry.Requests(mark);
        foreach (var (answer, _) in answers.Where(a => a.Answer.Status != HttpStatusCode.OK || a.Answer.Body != expected))
            output.WriteLine($"held request answered {(int)answer.Status}: {answer.Body}");
        return new Wake(answers.Min(a => a.At), answers.Max(a => a.At), answers.Count(a => a.Answer.Status != HttpStatusCode.OK || a.Answer.Body != expected), source,
            requests.Where(r => r is { Method: "GET", Status: 200 } && r.Path.Contains("/blobs/", StringComparison.Ordinal)).Sum(r => r.Bytes), requests, coldStart);
    }

    private static async Task IdleToZeroAsync(DevClusterWithOperator env)
    {
        await Eventually.TrueAsync(async () => env.Model(Name).Status?.Phase == Phases.ScaledToZero && (await env.PodsAsync(Name)).Count == 0,
            "the idle model to go to zero pods", TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(async () => await env.ActivatorSliceAsync(Name) is not null, "the model's Service to route to the activator", TimeSpan.FromSeconds(10));
    }

    private static object Figures(Wake w, double warmP95Ms) => new
    {
        cache = w.Source.Cache, bytesPulled = w.Source.BytesPulled, registryBlobBytes = w.RegistryBlobBytes, registryRequests = w.RegistryRequests.Count,
        firstAnswerSeconds = Math.Round(w.FirstAnswer.TotalSeconds, 3), lastAnswerSeconds = Math.Round(w.LastAnswer.TotalSeconds, 3),
        coldToWarmP95 = Math.Round(w.FirstAnswer.TotalMilliseconds / warmP95Ms, 1), failed = w.Failed, statusColdStart = w.ColdStart,
    };

    private static string Table(IEnumerable<(string Row, Wake W)> rows, double warmP95Ms)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"bench-coldstart: {Name} from a registry at zero, {Held} requests held; warm p95 {warmP95Ms:0.0} ms; target <= {TargetWarmCacheSeconds} s with a warm cache");
        text.AppendLine("             node cache  bytes pulled  first answer  last answer  / warm p95  failed  status.coldStart (schedule, pull, load+benchmark [process, fetch, load, benchmark], admission)");
        foreach (var (row, w) in rows)
        {
            var c = w.ColdStart;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{row,-12} {w.Source.Cache,10}  {w.Source.BytesPulled,12}  {w.FirstAnswer.TotalSeconds,10:0.00} s  {w.LastAnswer.TotalSeconds,9:0.00} s  {w.FirstAnswer.TotalMilliseconds / warmP95Ms,9:0}x  {w.Failed,6}  " +
                $"{c.Seconds:0.0} s ({c.ScheduleSeconds:0.0}, {c.PullSeconds:0.0}, {c.LoadAndBenchmarkSeconds:0.0} [{c.ProcessSeconds:0.0}, {c.FetchSeconds:0.0}, {c.LoadSeconds:0.0}, {c.BenchmarkSeconds:0.0}], {c.AdmissionSeconds:0.0})");
        }
        return text.ToString();
    }

    private sealed record Answer(HttpStatusCode Status, string Body);

    private static async Task<Answer> PostAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        using var response = await http.PostAsync(url, new StringContent(InferenceLoad.Body, Encoding.UTF8, "application/json"));
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
