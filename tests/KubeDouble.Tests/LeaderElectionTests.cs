using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace ModelOperator.KubeDouble.Tests;

public sealed class LeaderElectionTests
{
    [Fact]
    public async Task LeaseLock_ElectsOneLeader_AndTheOtherTakesOverWhenItStops()
    {
        await using var cluster = await TestCluster.StartAsync();
        LeaderElector Elector(string id) => new(new LeaderElectionConfig(new LeaseLock(cluster.Client, "default", "op-lock", id))
        {
            LeaseDuration = TimeSpan.FromSeconds(2), RenewDeadline = TimeSpan.FromSeconds(1.5), RetryPeriod = TimeSpan.FromMilliseconds(200),
        });
        using var first = Elector("first");
        using var second = Elector("second");
        var firstLeads = new TaskCompletionSource();
        var secondLeads = new TaskCompletionSource();
        first.OnStartedLeading += () => firstLeads.TrySetResult();
        second.OnStartedLeading += () => secondLeads.TrySetResult();
        using var stopFirst = new CancellationTokenSource();
        using var stopSecond = new CancellationTokenSource();

        var firstRun = first.RunUntilLeadershipLostAsync(stopFirst.Token);
        await Eventually.WithinAsync(firstLeads.Task.ContinueWith(_ => true), "the first elector to lead");
        var secondRun = second.RunUntilLeadershipLostAsync(stopSecond.Token);
        await Task.Delay(500);
        Assert.False(secondLeads.Task.IsCompleted);
        Assert.Equal("first", cluster.Server.Store.Get("coordination.k8s.io", "v1", "leases", "default", "op-lock")!["spec"]!["holderIdentity"]!.ToString());

        stopFirst.Cancel();
        await Eventually.WithinAsync(secondLeads.Task.ContinueWith(_ => true), "the second elector to take over");
        stopSecond.Cancel();
        await Task.WhenAll(firstRun, secondRun).ContinueWith(_ => { });
    }
}
