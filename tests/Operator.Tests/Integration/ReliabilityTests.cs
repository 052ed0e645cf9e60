using k8s.Models;
using ModelOperator.KubeDouble.Faults;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.Integration;

public sealed class ReliabilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ConflictStorm_OnStatusAndChildren_ConvergesWithoutLosingTheLatestSpec()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        cluster.Server.Faults.Add(new FaultRule { Verb = "update", Resource = ModelDeployment.Plural, Subresource = "status", StatusCode = 409, Times = 15 });
        cluster.Server.Faults.Add(new FaultRule { Verb = "update", Resource = ModelDeployment.Plural, StatusCode = 409, Times = 5 });
        cluster.Server.Faults.Add(new FaultRule { Verb = "patch", Resource = "deployments", StatusCode = 409, Times = 10 });
        var op = await cluster.StartOperatorAsync("a");
        var names = Enumerable.Range(0, 5).Select(i => $"m{i}").ToList();

        foreach (var n in names) await cluster.CreateAsync(Samples.Model(n));
        // A spec change lands in the middle of the storm; the operator must end on it, not on a stale copy.
        await cluster.PatchSpecAsync("m0", new { model = new { uri = "oci://registry.local/models/resnet:2.0" } });

        await Eventually.TrueAsync(() => names.All(n => cluster.Converged(n)), "every ModelDeployment to converge through the conflicts");
        Assert.Equal(2, cluster.Model("m0")!.Status!.ObservedGeneration);
        Assert.Equal("oci://registry.local/models/resnet:2.0", cluster.CurrentDeployment(cluster.Model("m0")!)!.Spec.Template.Spec.Containers[0].Args[2]);
        Assert.True(cluster.Server.Faults.FiredCount >= 20, $"only {cluster.Server.Faults.FiredCount} conflicts were injected");
        Assert.All(names.Skip(1), n => Assert.Single(cluster.DeploymentsOf(n)));
        Assert.True(op.Metrics.Errors.WithLabels("modeldeployment").Value > 0 || cluster.Server.Faults.FiredCount > 0);
    }

    [Fact]
    public async Task DroppedWatchesAnd410_MissNoEvent_AndRepeatNoSideEffect()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        await cluster.StartOperatorAsync("a");
        cluster.Server.Faults.DropWatches(ModelDeployment.Plural, afterEvents: 1);
        cluster.Server.Faults.DropWatches("deployments", afterEvents: 2);

        for (var i = 0; i < 4; i++) await cluster.CreateAsync(Samples.Model($"d{i}"));
        await Eventually.TrueAsync(() => Enumerable.Range(0, 4).All(i => cluster.Converged($"d{i}")), "convergence while watches keep dropping");

        // History compaction: resuming watches get 410 Gone and must relist.
        cluster.Server.Faults.Clear();
        cluster.Server.CompactHistory();
        cluster.Server.Faults.ExpireWatches(ModelDeployment.Plural);
        cluster.Server.Faults.ExpireWatches("deployments");
        for (var i = 4; i < 8; i++) await cluster.CreateAsync(Samples.Model($"d{i}"));
        await Eventually.TrueAsync(() => Enumerable.Range(0, 8).All(i => cluster.Converged($"d{i}")), "convergence after 410 Gone");

        // Every child was applied once, every finalizer and status written once: relists repeated nothing.
        var writes = cluster.Server.Requests.Writes().Where(r => r.UserAgent.Contains("model-operator/a")).ToList();
        Assert.Equal(8, writes.Count(r => r.Verb == "patch" && r.Resource == "deployments"));
        Assert.Equal(8, writes.Count(r => r.Verb == "patch" && r.Resource == "services"));
        Assert.Equal(8, writes.Count(r => r.Verb == "update" && r.Resource == ModelDeployment.Plural && r.Subresource is null));
        Assert.Equal(8, cluster.Deployments().Count);
        Assert.All(cluster.Deployments(), d => Assert.Equal(1, d.Metadata.Generation));
    }

    [Fact]
    public async Task OperatorRestartedMidWork_ContinuesWithoutDuplicateChildren()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        // Slow writes so the first instance stops with work in flight.
        cluster.Server.Faults.Add(new FaultRule { Verb = "patch", Resource = "deployments", Latency = TimeSpan.FromMilliseconds(150) });
        var first = await cluster.StartOperatorAsync("first");
        var names = Enumerable.Range(0, 12).Select(i => $"r{i}").ToList();
        foreach (var n in names) await cluster.CreateAsync(Samples.Model(n));
        await Eventually.TrueAsync(() => cluster.Deployments().Count >= 2, "the first instance to be mid-way");

        await cluster.StopOperatorAsync(first);
        var doneByFirst = names.Count(n => cluster.Converged(n));
        var writesByFirst = cluster.WritesBy("first");
        cluster.Server.Faults.Clear();
        await cluster.StartOperatorAsync("second");

        await Eventually.TrueAsync(() => names.All(n => cluster.Converged(n)), "the second instance to finish the work");
        output.WriteLine($"first instance converged {doneByFirst} of {names.Count}");
        Assert.Equal(names.Count, cluster.Deployments().Count);
        Assert.All(names, n => Assert.Single(cluster.DeploymentsOf(n)));
        Assert.Equal(writesByFirst, cluster.WritesBy("first")); // a stopped instance writes nothing more
    }

    [Fact]
    public async Task TwoInstances_OnlyTheLeaderWrites_AndFailoverHappensWithinTheLeaseDuration()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        var a = await cluster.StartOperatorAsync("a", leaderElection: true);
        var b = await cluster.StartOperatorAsync("b", leaderElection: true);
        await Eventually.TrueAsync(() => a.IsLeader ^ b.IsLeader, "exactly one leader");
        var (leader, follower) = a.IsLeader ? (a, b) : (b, a);

        await cluster.CreateAsync(Samples.Model("one"));
        await Eventually.TrueAsync(() => cluster.Converged("one"), "the leader to reconcile");
        Assert.True(cluster.WritesBy(leader.Identity) > 0);
        Assert.Equal(0, cluster.WritesBy(follower.Identity));

        // The leader dies without handing over; the follower must take over once the lease (4 s here) runs out.
        var killedAt = DateTime.UtcNow;
        await cluster.StopOperatorAsync(leader);
        await Eventually.TrueAsync(() => follower.IsLeader, "the follower to acquire the lease", TimeSpan.FromSeconds(15));
        var failover = DateTime.UtcNow - killedAt;
        output.WriteLine($"failover took {failover.TotalSeconds:0.0} s");
        Assert.True(failover <= TimeSpan.FromSeconds(4) + TimeSpan.FromSeconds(2), $"failover took {failover.TotalSeconds:0.0} s, lease is 4 s");

        await cluster.CreateAsync(Samples.Model("two"));
        await Eventually.TrueAsync(() => cluster.Converged("two"), "the new leader to reconcile");
        Assert.True(cluster.WritesBy(follower.Identity) > 0);
    }

    [Fact]
    public async Task LeaderThatCannotRenew_StopsActing_ThenExits()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        var op = await cluster.StartOperatorAsync("a", leaderElection: true);
        await Eventually.TrueAsync(() => op.IsLeader, "the instance to lead");

        cluster.Server.Faults.Add(new FaultRule { Resource = "leases", Verb = "update", StatusCode = 500 });
        cluster.Server.Faults.Add(new FaultRule { Resource = "leases", Verb = "get", StatusCode = 500 });
        var reason = await op.Completion.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(OperatorHost.StopReason.LeadershipLost, reason);
        Assert.False(op.IsLeader);
        var before = cluster.WritesBy("a");
        await cluster.CreateAsync(Samples.Model("after"));
        await Task.Delay(1500); // a bounded window in which an instance still acting would have written
        Assert.Equal(before, cluster.WritesBy("a"));
        Assert.Null(cluster.Model("after")!.Status);
    }

    [Fact]
    public async Task ServerErrorsAndLatency_AreRetriedWithBackoff_UntilConverged()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        cluster.Server.Faults.Add(new FaultRule { Verb = "patch", Resource = "deployments", StatusCode = 500, Times = 4 });
        cluster.Server.Faults.Add(new FaultRule { Verb = "patch", Resource = "services", StatusCode = 503, Times = 2 });
        cluster.Server.Faults.Add(new FaultRule { Verb = "list", Resource = ModelDeployment.Plural, StatusCode = 500, Times = 2 });
        cluster.Server.Faults.Add(new FaultRule { Verb = "update", Resource = ModelDeployment.Plural, AnySubresource = true, Latency = TimeSpan.FromMilliseconds(300) });
        var op = await cluster.StartOperatorAsync("a");

        for (var i = 0; i < 3; i++) await cluster.CreateAsync(Samples.Model($"e{i}"));

        await Eventually.TrueAsync(() => Enumerable.Range(0, 3).All(i => cluster.Converged($"e{i}")), "convergence through 5xx and latency");
        Assert.True(op.Metrics.Errors.WithLabels("modeldeployment").Value >= 4, "each injected 5xx on a write must surface as a retried reconcile error");
        Assert.Equal(3, cluster.Deployments().Count);
    }
}
