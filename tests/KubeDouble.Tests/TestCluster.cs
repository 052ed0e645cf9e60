using k8s;

namespace ModelOperator.KubeDouble.Tests;

/// <summary>A double started for one test, with an unmodified KubernetesClient pointed at it.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(KubeApiServer server)
    {
        Server = server;
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = server.BaseAddress.ToString() });
    }

    public KubeApiServer Server { get; }
    public Kubernetes Client { get; }

    public static async Task<TestCluster> StartAsync(KubeApiServerOptions? options = null) =>
        new(await KubeApiServer.StartAsync(options));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
