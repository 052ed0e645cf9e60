using k8s;

namespace ModelOperator.KubeDouble.Tests;

public sealed class SelectorTests
{
    [Theory]
    [InlineData("tier=web", "a")]
    [InlineData("tier==web", "a")]
    [InlineData("tier!=web", "b,c")]
    [InlineData("tier in (web,db)", "a,b")]
    [InlineData("tier notin (web)", "b,c")]
    [InlineData("tier", "a,b")]
    [InlineData("!tier", "c")]
    [InlineData("tier=web,env=prod", "a")]
    public async Task List_WithALabelSelector_ReturnsWhatItSelects(string selector, string expected)
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("a", new Dictionary<string, string> { ["tier"] = "web", ["env"] = "prod" }), "default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("b", new Dictionary<string, string> { ["tier"] = "db" }), "default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("c"), "default");

        var list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: selector);

        Assert.Equal(expected, string.Join(",", list.Items.Select(i => i.Metadata.Name)));
    }

    [Fact]
    public async Task List_WithAFieldSelectorOnNameAndNamespace_ReturnsThatObject()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("a"), "default");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("b"), "default");

        var byName = await cluster.Client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=b,metadata.namespace=default");
        var notA = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name!=a");

        Assert.Equal(["b"], byName.Items.Select(i => i.Metadata.Name));
        Assert.Equal(["b"], notA.Items.Select(i => i.Metadata.Name));
    }

    [Fact]
    public async Task List_WithAMalformedSelector_Is400()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "tier in web"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.Response.StatusCode);
    }
}
