using Xunit;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>One anonymous registry shared by the tests of the <see cref="RegistryCollection"/>; each test uses its own repository.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private RegistryServer? _server;
    private int _repositories;

    public RegistryServer Server => _server ?? throw new InvalidOperationException("registry not started");

    /// <summary>A repository name no other test uses.</summary>
    public string NewRepository(string prefix) => $"{prefix}-{Interlocked.Increment(ref _repositories)}";

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}
