using k8s;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class EventsTests
{
    [Fact]
    public async Task EventsV1Event_IsTheSameObjectAsACoreEvent_InEachShape()
    {
        await using var cluster = await TestCluster.StartAsync();

        await cluster.Client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.1" }, EventTime = DateTime.UtcNow, Type = "Normal", Reason = "Scaled", Note = "Scaled to 3",
            Action = "Scale", ReportingController = "model-operator", ReportingInstance = "model-operator-0",
            Regarding = new V1ObjectReference { Kind = "Deployment", Name = "web", NamespaceProperty = "default", ApiVersion = "apps/v1" },
        }, "default");

        var core = await cluster.Client.CoreV1.ReadNamespacedEventAsync("web.1", "default");
        var listed = await cluster.Client.EventsV1.ListNamespacedEventAsync("default", fieldSelector: "regarding.name=web");
        Assert.Equal(("Scaled to 3", "web", "model-operator"), (core.Message, core.InvolvedObject.Name, core.ReportingComponent));
        var e = Assert.Single(listed.Items);
        Assert.Equal(("Scaled to 3", "web"), (e.Note, e.Regarding.Name));
    }

    [Fact]
    public async Task CoreEvent_IsListedThroughEventsV1()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "e1" }, Reason = "Pulled", Message = "pulled the image",
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "p", NamespaceProperty = "default" },
        }, "default");

        var listed = await cluster.Client.EventsV1.ListNamespacedEventAsync("default");

        Assert.Equal("pulled the image", Assert.Single(listed.Items).Note);
    }
}
