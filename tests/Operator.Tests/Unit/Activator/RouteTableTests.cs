using k8s.Models;
using ModelOperator.Activator;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.ScaleToZero;

namespace ModelOperator.Operator.Tests.Unit.Activator;

/// <summary>Which model a request the activator receives is for, and where its ready pods are.</summary>
public sealed class RouteTableTests
{
    internal static ModelDeployment Zeroable(string name, string ns = "default", int? maxHeld = null) =>
        Samples.Model(name, ns, s =>
        {
            s.Replicas = new ReplicasSpec { Min = 0, Max = 2 };
            s.Autoscaling = new AutoscalingSpec { TargetMs = 50, ScaleToZero = new ScaleToZeroSpec { IdleAfter = "5m", MaxHeldRequests = maxHeld } };
        });

    private static V1Service Service(string name, string ns, string ip) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { ClusterIP = ip },
    };

    private static V1EndpointSlice Slice(string service, string ns, string managedBy, params string[] readyIps) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"{service}-{managedBy.Length}", NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { [ActivatorSlice.ServiceNameLabel] = service, [ActivatorSlice.ManagedByLabel] = managedBy },
        },
        Endpoints = readyIps.Select(ip => new V1Endpoint { Addresses = [ip], Conditions = new V1EndpointConditions { Ready = true } }).ToList(),
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080 }, new Discoveryv1EndpointPort { Name = "grpc", Port = 8081 }],
    };

    [Theory]
    [InlineData("10.0.0.7:8080")]
    [InlineData("10.0.0.7")]
    [InlineData("resnet.team-a:8080")]
    [InlineData("resnet.team-a.svc")]
    [InlineData("RESNET.team-a.svc.cluster.local:8080")]
    public void TheHostTheClientUsed_NamesTheModel(string host)
    {
        var table = RouteTable.Build([Zeroable("resnet", "team-a"), Zeroable("resnet", "team-b")],
            [Service("resnet", "team-a", "10.0.0.7"), Service("resnet", "team-b", "10.0.0.8")], []);

        Assert.Equal("team-a/resnet", table.Resolve(host, "/v2/models/resnet/infer")?.Key);
    }

    [Fact]
    public void ABareNameTwoNamespacesShare_IsNotGuessed_NorIsTheirModelName()
    {
        var table = RouteTable.Build([Zeroable("resnet", "team-a"), Zeroable("resnet", "team-b")], [], []);

        Assert.Null(table.Resolve("resnet", "/v2/models/resnet/infer"));
    }

    [Fact]
    public void AnUnknownHost_FallsBackToTheUniqueOipModelName()
    {
        var table = RouteTable.Build([Zeroable("resnet")], [], []);

        Assert.Equal("default/resnet", table.Resolve("127.0.0.1:9999", "/v2/models/resnet/infer")?.Key);
        Assert.Null(table.Resolve("127.0.0.1:9999", "/v2/models/other/infer"));
    }

    [Fact]
    public void Backends_AreTheReadyPodsOfEverySliceButTheActivatorsOwn_PerProtocol()
    {
        var table = RouteTable.Build([Zeroable("resnet", maxHeld: 7)], [Service("resnet", "default", "10.0.0.7")],
        [
            Slice("resnet", "default", "endpointslice-controller.k8s.io", "10.1.0.2"),
            Slice("resnet", "default", ActivatorSlice.ManagedBy, "10.9.0.1"),
        ]);

        var route = table.Get("default/resnet")!;
        Assert.Equal(["10.1.0.2:8080"], route.HttpBackends);
        Assert.Equal(["10.1.0.2:8081"], route.GrpcBackends);
        Assert.Equal(7, route.MaxHeld);
        Assert.Equal(TimeSpan.FromMinutes(2), route.ColdStartTimeout); // the default
        Assert.Equal(["10.9.0.1"], route.Activators);                   // the activator slice: who shares maxHeldRequests
    }

    [Fact]
    public void TheActivatorSlicesReplicas_ShareTheModelsHeldLimit()
    {
        var table = RouteTable.Build([Zeroable("resnet", maxHeld: 7)], [], [Slice("resnet", "default", ActivatorSlice.ManagedBy, "10.9.0.2", "10.9.0.1")]);

        var route = table.Get("default/resnet")!;

        Assert.Equal(["10.9.0.1", "10.9.0.2"], route.Activators);
        Assert.Equal((4, 3), (route.MaxHeldBy("10.9.0.1"), route.MaxHeldBy("10.9.0.2")));
    }

    [Fact]
    public void ModelsWithoutScaleToZero_AreNotInTheTable()
    {
        var table = RouteTable.Build([Samples.Model("plain")], [], []);

        Assert.Empty(table.Models);
    }
}
