using System.Diagnostics;
using k8s;
using k8s.Models;
using ModelOperator.KubeDouble;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Crd;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.OperatorBench;

/// <summary>Creates N ModelDeployments, times convergence, counts idle writes and reads the operator's peak RSS.</summary>
internal static class ScaleBenchmark
{
    public sealed record Result(bool Converged, string Line, string Details);

    public static async Task<Result> RunAsync(BenchOptions options)
    {
        var artifacts = Path.GetFullPath(".artifacts");
        Directory.CreateDirectory(artifacts);
        // Nothing is deleted here, and the double's garbage collector adds CPU to every write (at n=1000 the double
        // used ~20 CPU-s with it, ~14 without), which would measure the double rather than the operator.
        await using var server = await KubeApiServer.StartAsync(new KubeApiServerOptions
        {
            WatchHistorySize = Math.Max(50_000, options.Count * 20), GarbageCollectionEnabled = false,
        });
        var kubeconfig = server.WriteKubeconfig(Path.Combine(artifacts, "bench-operator.kubeconfig"));
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(CrdGenerator.GenerateYaml()));

        await using var op = OperatorProcess.Start(options.OperatorDll, kubeconfig, Path.Combine(artifacts, "bench-operator.log"));
        await op.WaitReadyAsync(TimeSpan.FromSeconds(60));
        var startupCpu = op.CpuTime();

        var names = Enumerable.Range(0, options.Count).Select(i => $"model-{i:D4}").ToList();
        // Every ModelDeployment has the same pod-shaping spec apart from its name, so each one's revision is known up
        // front; working it out before the clock starts keeps the driver's own CPU out of the measured window.
        var pending = new SortedDictionary<string, string>(names.ToDictionary(n => n, n => ChildObjects.DeploymentName(n, RevisionHasher.Compute(Model(n).Spec, Settings))));
        var benchStartCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, ct) =>
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(Model(name), ModelDeployment.Group, ModelDeployment.Version, "default", ModelDeployment.Plural, cancellationToken: ct));
        var created = clock.Elapsed;

        var deadline = clock.Elapsed + options.ConvergeTimeout;
        while (pending.Count > 0 && clock.Elapsed < deadline)
        {
            // Names converge roughly in creation order: scan from the oldest pending one and stop at the first that
            // is not there yet, so polling costs the shared CPUs little.
            foreach (var (name, deployment) in pending.ToList())
            {
                if (!Converged(server, name, deployment)) break;
                pending.Remove(name);
            }
            if (pending.Count > 0) await Task.Delay(50);
        }
        var converge = clock.Elapsed;
        if (pending.Count > 0)
            return new Result(false, $"operator-scale: n={options.Count} converge_s=timeout idle_writes=NA rss_mb={op.PeakRssMb():0}",
                $"{pending.Count} ModelDeployments had not converged after {options.ConvergeTimeout.TotalSeconds} s, e.g. {pending.Keys.First()}");

        var operatorCpu = op.CpuTime();
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime - benchStartCpu;
        var writesDuringConvergence = server.Requests.Writes().Count(r => r.Resource != "leases" && r.UserAgent.StartsWith("model-operator", StringComparison.Ordinal));
        server.Requests.Clear();
        await Task.Delay(options.Idle);
        var idle = server.Requests.Writes();
        var idleWrites = idle.Count(r => r.Resource != "leases");
        var leaseRenewals = idle.Count(r => r.Resource == "leases");
        var rss = op.PeakRssMb();
        return new Result(true,
            $"operator-scale: n={options.Count} converge_s={converge.TotalSeconds:0.00} idle_writes={idleWrites} rss_mb={rss:0}",
            $"  creates took {created.TotalSeconds:0.00} s; operator writes while converging: {writesDuringConvergence} ({(double)writesDuringConvergence / options.Count:0.0} per ModelDeployment); " +
            $"CPU while converging: operator {(operatorCpu - startupCpu).TotalSeconds:0.0} s (+{startupCpu.TotalSeconds:0.0} s to start), API double and this driver {benchCpu.TotalSeconds:0.0} s (+{benchStartCpu.TotalSeconds:0.0} s to start); " +
            $"idle window {options.Idle.TotalSeconds:0} s; leader Lease renewals in it (not counted as idle writes): {leaseRenewals}");
    }

    private static ModelDeployment Model(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new ModelDeploymentSpec
        {
            Model = new ModelSource { Uri = $"oci://registry.local/models/{name}:1.0" },
            Runtime = new RuntimeSpec { Device = "cpu" },
            Replicas = new ReplicasSpec { Min = 1, Max = 3 },
        },
    };

    private static readonly OperatorSettings Settings = new();

    // Reads the store directly (no API requests, so the request log stays the operator's) and cheaply: under the
    // store's lock without copying the objects, so polling takes little from the double it shares the cores with.
    private static bool Converged(KubeApiServer server, string name, string deployment) =>
        server.Store.Inspect(ModelDeployment.Group, ModelDeployment.Plural, "default", name, o =>
            o?["metadata"]?["generation"]?.ToJsonString() is { } generation && o["status"]?["observedGeneration"]?.ToJsonString() == generation)
        && server.Store.Inspect("apps", "deployments", "default", deployment, d => d is not null)
        && server.Store.Inspect("", "services", "default", name, s => s is not null);
}
