using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.Integration;

/// <summary><c>--watch-namespaces</c>: the operator reconciles ModelDeployments in those namespaces and never looks elsewhere.</summary>
public sealed class WatchNamespacesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Operator_WatchingTwoNamespaces_ReconcilesThoseAndLeavesTheOthersAlone()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        foreach (var ns in new[] { "team-a", "team-b", "elsewhere" })
            await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        await cluster.StartOperatorAsync("a", tweak: o => o with { WatchNamespaces = ["team-a", "team-b"] });

        await cluster.CreateAsync(Samples.Model("resnet", "team-a"));
        await cluster.CreateAsync(Samples.Model("bert", "team-b"));
        await cluster.CreateAsync(Samples.Model("ignored", "elsewhere"));
        await Eventually.TrueAsync(() => cluster.Converged("resnet", "team-a") && cluster.Converged("bert", "team-b"), "team-a and team-b to converge");
        // A marker reconciled after "ignored" was created shows the operator had every chance to touch it.
        await cluster.CreateAsync(Samples.Model("marker", "team-a"));
        await Eventually.TrueAsync(() => cluster.Converged("marker", "team-a"), "the marker in team-a to converge");

        Assert.Null(cluster.Model("ignored", "elsewhere")!.Status);
        Assert.Empty(cluster.Deployments("elsewhere"));
        // Lists and watches name a watched namespace: none is cluster-wide, none reaches "elsewhere".
        var reads = cluster.Server.Requests.All().Where(r => r.Verb is "list" or "watch" && r.UserAgent.Contains("model-operator")).ToList();
        Assert.NotEmpty(reads);
        Assert.All(reads, r => Assert.Contains(r.Namespace, new[] { "team-a", "team-b" }));
    }
}
