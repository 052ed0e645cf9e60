using k8s.Models;
using ModelOperator.DevCluster.Networking;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

/// <summary>The Service proxy's routes, as kube-proxy builds them: every EndpointSlice of a Service, whoever manages it.</summary>
public sealed class ProxyRoutesTests
{
    private static V1EndpointSlice Slice(string name, string managedBy, int port, params (string Ip, bool Ready)[] endpoints) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = "default",
            Labels = new Dictionary<string, string> { [ServiceEndpoints.ServiceNameLabel] = "resnet", [ServiceEndpoints.ManagedByLabel] = managedBy },
        },
        Endpoints = endpoints.Select(e => new V1Endpoint { Addresses = [e.Ip], Conditions = new V1EndpointConditions { Ready = e.Ready } }).ToList(),
        Ports = [new Discoveryv1EndpointPort { Name = "http", Port = port }],
    };

    [Fact]
    public void EverySliceOfTheService_IsMerged_WhoeverManagesIt()
    {
        var service = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "resnet", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { ClusterIP = "127.21.0.5", Ports = [new V1ServicePort { Name = "http", Port = 8080 }] },
        };

        var route = ProxyRoutes.From([service],
        [
            Slice("resnet-abcde", ServiceEndpoints.ManagedBy, 8080, ("127.20.0.3", false)),
            Slice("resnet-activator", "model-operator.serving.modeloperator.io", 8080, ("127.20.0.9", true), ("127.20.0.8", true)),
        ]).Single();

        Assert.Equal(["127.20.0.8:8080", "127.20.0.9:8080"], route.Backends);
    }
}
