using k8s;

namespace ModelOperator.DevCluster.Tests;

public sealed class DevClusterHostTests
{
    [Fact]
    public async Task Start_ServesTheApiAndWritesAKubeconfig()
    {
        await using var cluster = await DevClusterHost.StartAsync();

        var namespaces = await cluster.Client.CoreV1.ListNamespaceAsync();
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
        Assert.Contains(cluster.Api.BaseAddress.ToString().TrimEnd('/'), await File.ReadAllTextAsync(cluster.KubeconfigPath));
    }
}
