using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.Activator;
using ModelOperator.Operator.Api;
using Prometheus;

namespace ModelOperator.Operator.Tests.Unit.Activator;

/// <summary>Holding a model's requests at zero: the limit, the timeout, one demand per cold start, release on a ready pod.</summary>
public sealed class RequestHolderTests
{
    private sealed class FakeSource : IRouteSource
    {
        private TaskCompletionSource _refresh = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public RouteTable Table { get; private set; } = RouteTable.Empty;
        public List<(string Model, DateTimeOffset At)> Demands { get; } = [];

        public Task NextRefreshAsync() => _refresh.Task;

        public Task ReportDemandAsync(ModelRoute route, DateTimeOffset at, CancellationToken ct)
        {
            lock (Demands) Demands.Add((route.Key, at));
            return Task.CompletedTask;
        }

        public void Show(RouteTable table)
        {
            Table = table;
            Interlocked.Exchange(ref _refresh, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private static (FakeSource Source, RequestHolder Holder, ActivatorMetrics Metrics) Create(ModelDeployment md)
    {
        var source = new FakeSource();
        source.Show(RouteTable.Build([md], [], []));
        var metrics = new ActivatorMetrics(Metrics.NewCustomRegistry());
        return (source, new RequestHolder(source, metrics, TimeProvider.System, NullLogger.Instance), metrics);
    }

    private static ModelDeployment Model(int maxHeld = 3, string timeout = "2m")
    {
        var md = RouteTableTests.Zeroable("resnet", maxHeld: maxHeld);
        md.Spec.Autoscaling!.ScaleToZero!.ColdStartTimeout = timeout;
        return md;
    }

    private static RouteTable WithReadyPod(ModelDeployment md) => RouteTable.Build([md], [], [new k8s.Models.V1EndpointSlice
    {
        Metadata = new k8s.Models.V1ObjectMeta { Name = "s", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "resnet" } },
        Endpoints = [new k8s.Models.V1Endpoint { Addresses = ["10.1.0.2"], Conditions = new k8s.Models.V1EndpointConditions { Ready = true } }],
        Ports = [new k8s.Models.Discoveryv1EndpointPort { Name = "http", Port = 8080 }],
    }]);

    [Fact]
    public async Task HeldRequests_AreAllReleasedToTheFirstReadyPod_AfterOneDemand()
    {
        var md = Model(maxHeld: 3);
        var (source, holder, metrics) = Create(md);
        var route = source.Table.Get("default/resnet")!;

        var held = Enumerable.Range(0, 3).Select(_ => holder.HoldAsync(route, grpc: false, CancellationToken.None)).ToList();
        await Eventually.TrueAsync(() => holder.HeldNow("default/resnet") == 3, "three held");
        Assert.All(held, t => Assert.False(t.IsCompleted));
        source.Show(WithReadyPod(md));
        var outcomes = await Task.WhenAll(held);

        Assert.All(outcomes, o => Assert.Equal("10.1.0.2:8080", Assert.IsType<HoldOutcome.Forward>(o).Backend));
        Assert.Single(source.Demands);
        Assert.Equal(0, holder.HeldNow("default/resnet"));
        Assert.Equal(1, metrics.ColdStarts.WithLabels("default", "resnet").Value);
    }

    [Fact]
    public async Task BeyondMaxHeldRequests_503AtOnce_WithRetryAfter()
    {
        var (source, holder, metrics) = Create(Model(maxHeld: 2));
        var route = source.Table.Get("default/resnet")!;
        using var stop = new CancellationTokenSource();

        var held = Enumerable.Range(0, 2).Select(_ => holder.HoldAsync(route, false, stop.Token)).ToList();
        await Eventually.TrueAsync(() => holder.HeldNow("default/resnet") == 2, "two held");
        var third = await holder.HoldAsync(route, false, CancellationToken.None);

        var unavailable = Assert.IsType<HoldOutcome.Unavailable>(third);
        Assert.Equal("HeldRequestLimit", unavailable.Reason);
        Assert.Contains("limit of 2 requests", unavailable.Message);
        Assert.True(unavailable.RetryAfterSeconds > 0);
        Assert.Equal(1, metrics.Rejected.WithLabels("default", "resnet").Value);
        stop.Cancel();
        Assert.All(await Task.WhenAll(held), o => Assert.IsType<HoldOutcome.Cancelled>(o));
        Assert.Equal(0, holder.HeldNow("default/resnet"));
    }

    // Guards the limit being per activator replica: two replicas each held maxHeldRequests, twice the model's limit.
    [Fact]
    public async Task WithTwoActivatorReplicas_EachHoldsItsShareOfTheModelsLimit_AndSaysSo()
    {
        var md = Model(maxHeld: 3);
        var (source, holder, _) = Create(md);
        source.Show(RouteTable.Build([md], [], [ActivatorSlice("10.0.0.1", "10.0.0.2")]));
        var route = source.Table.Get("default/resnet")!;
        using var stop = new CancellationTokenSource();

        var held = Enumerable.Range(0, 2).Select(_ => holder.HoldAsync(route, false, stop.Token, self: "10.0.0.1")).ToList();
        await Eventually.TrueAsync(() => holder.HeldNow("default/resnet") == 2, "two held by the first replica");
        var third = await holder.HoldAsync(route, false, CancellationToken.None, self: "10.0.0.1");

        var unavailable = Assert.IsType<HoldOutcome.Unavailable>(third);
        Assert.Equal("HeldRequestLimit", unavailable.Reason);
        Assert.Contains("its share of 2 of the model's limit of 3 requests", unavailable.Message);
        Assert.Contains("split over 2 activator replicas", unavailable.Message);
        stop.Cancel();
        await Task.WhenAll(held);
    }

    private static k8s.Models.V1EndpointSlice ActivatorSlice(params string[] activators) => new()
    {
        Metadata = new k8s.Models.V1ObjectMeta
        {
            Name = "resnet-activator", NamespaceProperty = "default",
            Labels = new Dictionary<string, string>
            {
                ["kubernetes.io/service-name"] = "resnet",
                ["endpointslice.kubernetes.io/managed-by"] = ModelOperator.Operator.ScaleToZero.ActivatorSlice.ManagedBy,
            },
        },
        Endpoints = activators.Select(a => new k8s.Models.V1Endpoint { Addresses = [a], Conditions = new k8s.Models.V1EndpointConditions { Ready = true } }).ToList(),
        Ports = [new k8s.Models.Discoveryv1EndpointPort { Name = "http", Port = 8080 }],
    };

    [Fact]
    public async Task NoReadyPodWithinColdStartTimeout_503WithRetryAfter_NeverAHang()
    {
        var (source, holder, metrics) = Create(Model(timeout: "300ms"));
        var route = source.Table.Get("default/resnet")!;

        var outcome = await holder.HoldAsync(route, false, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        var unavailable = Assert.IsType<HoldOutcome.Unavailable>(outcome);
        Assert.Equal("ColdStartTimeout", unavailable.Reason);
        Assert.Contains("within 300ms", unavailable.Message);
        Assert.Equal(1, unavailable.RetryAfterSeconds);
        Assert.Equal(1, metrics.Timeouts.WithLabels("default", "resnet").Value);
    }

    [Fact]
    public async Task AModelWithAReadyPod_PassesStraightThrough_WithoutADemand()
    {
        var md = Model();
        var (source, holder, _) = Create(md);
        source.Show(WithReadyPod(md));

        var outcome = await holder.HoldAsync(source.Table.Get("default/resnet")!, false, CancellationToken.None);

        Assert.Equal(TimeSpan.Zero, Assert.IsType<HoldOutcome.Forward>(outcome).Held);
        Assert.Empty(source.Demands);
    }
}
