using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ModelOperator.KubeDouble;

namespace ModelOperator.DevCluster.Tests.ControlPlane;

public sealed class PodBindingTests
{
    [Fact]
    public async Task Binding_SetsTheNodeAndPodScheduled_AndASecondBindingConflicts()
    {
        await using var api = await KubeApiServer.StartAsync();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = api.BaseAddress.ToString() });
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "x" }] },
        }, "default");
        V1Binding Binding(string node) => new() { Metadata = new V1ObjectMeta { Name = "p" }, Target = new V1ObjectReference { Kind = "Node", Name = node } };

        await client.CoreV1.CreateNamespacedPodBindingAsync(Binding("node-a"), "p", "default");
        var pod = await client.CoreV1.ReadNamespacedPodAsync("p", "default");
        var second = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedPodBindingAsync(Binding("node-b"), "p", "default"));

        Assert.Equal("node-a", pod.Spec.NodeName);
        Assert.Contains(pod.Status.Conditions, c => c is { Type: "PodScheduled", Status: "True" });
        Assert.Equal(HttpStatusCode.Conflict, second.Response.StatusCode);
        Assert.Contains("is already assigned to node", second.Response.Content);
    }
}
