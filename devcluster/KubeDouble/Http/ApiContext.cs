using ModelOperator.KubeDouble.Discovery;
using ModelOperator.KubeDouble.Faults;
using ModelOperator.KubeDouble.Semantics;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Http;

/// <summary>What the verb handlers share.</summary>
internal sealed record ApiContext(
    ObjectStore Store, ObjectWriter Writer, ObjectDeleter Deleter, FaultInjector Faults, KubeApiServerOptions Options,
    TableConverter Tables, CancellationToken Stopping)
{
    public ResourceRegistry Registry => Store.Registry;

    /// <summary>Turns at the store's lock for write requests.</summary>
    public WriteTurns Writes { get; } = new();
}
