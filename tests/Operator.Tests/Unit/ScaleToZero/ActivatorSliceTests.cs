using k8s.Models;
using ModelOperator.Operator.ScaleToZero;
using ModelOperator.Operator.Tests.Unit.Activator;

namespace ModelOperator.Operator.Tests.Unit.ScaleToZero;

/// <summary>The operator's EndpointSlice that routes a model's Service to the activator while it has no ready pod.</summary>
public sealed class ActivatorSliceTests
{
    private static readonly ActivatorEndpoints Activator = new(["10.9.0.1", "10.9.0.2"], new Dictionary<string, int> { ["http"] = 8080, ["grpc"] = 8081, ["metrics"] = 9090 });

    private static V1Service Service() => new()
    {
        Metadata = new V1ObjectMeta { Name = "resnet", NamespaceProperty = "default" },
        Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 8080 }, new V1ServicePort { Name = "grpc", Port = 8081, AppProtocol = "kubernetes.io/h2c" }] },
    };

    private static V1Pod Pod(bool ready) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p" },
        Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }] },
    };

    [Fact]
    public void TheSlice_JoinsTheModelsService_AsTheOperators_WithEveryActivatorPodOnEachProtocolsPort()
    {
        var slice = ActivatorSlice.Build(RouteTableTests.Zeroable("resnet"), Service(), Activator)!;

        Assert.Equal("resnet", slice.Metadata.Labels["kubernetes.io/service-name"]);
        Assert.Equal(ActivatorSlice.ManagedBy, slice.Metadata.Labels["endpointslice.kubernetes.io/managed-by"]);
        Assert.Equal("ModelDeployment", slice.Metadata.OwnerReferences.Single().Kind);
        Assert.Equal(["10.9.0.1", "10.9.0.2"], slice.Endpoints.SelectMany(e => e.Addresses));
        Assert.Equal([("http", 8080), ("grpc", 8081)], slice.Ports.Select(p => (p.Name, p.Port!.Value)));
        Assert.Equal("kubernetes.io/h2c", slice.Ports[1].AppProtocol);
    }

    [Fact]
    public void NoReadyActivatorPod_NoSlice_SinceAnEmptySliceRoutesNowhere()
    {
        Assert.Null(ActivatorSlice.Build(RouteTableTests.Zeroable("resnet"), Service(), ActivatorEndpoints.None));
    }

    [Fact]
    public void NeededOnlyWhileNoPodIsReady_AndOnlyForScaleToZeroModels()
    {
        var md = RouteTableTests.Zeroable("resnet");

        Assert.True(ActivatorSlice.Needed(md, []));
        Assert.True(ActivatorSlice.Needed(md, [Pod(ready: false)]));
        Assert.False(ActivatorSlice.Needed(md, [Pod(ready: false), Pod(ready: true)]));
        Assert.False(ActivatorSlice.Needed(Samples.Model(), []));
    }

    [Fact]
    public void ActivatorEndpoints_MergeEverySliceOfItsService_ReadyOnly()
    {
        var endpoints = ActivatorEndpoints.From(
        [
            new V1EndpointSlice
            {
                Endpoints = [new V1Endpoint { Addresses = ["10.9.0.2"], Conditions = new V1EndpointConditions { Ready = true } },
                    new V1Endpoint { Addresses = ["10.9.0.3"], Conditions = new V1EndpointConditions { Ready = false } }],
                Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080 }],
            },
            new V1EndpointSlice { Endpoints = [new V1Endpoint { Addresses = ["10.9.0.1"], Conditions = new V1EndpointConditions { Ready = true } }], Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080 }] },
        ]);

        Assert.Equal(["10.9.0.1", "10.9.0.2"], endpoints.Addresses);
    }
}
