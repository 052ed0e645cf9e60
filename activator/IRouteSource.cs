namespace ModelOperator.Activator;

/// <summary>Where the <see cref="RequestHolder"/> learns of models and reports demand (the cluster, or a test's table).</summary>
internal interface IRouteSource
{
    /// <summary>The models as last read.</summary>
    RouteTable Table { get; }

    /// <summary>Completes when the table is next re-read.</summary>
    Task NextRefreshAsync();

    /// <summary>Tells the operator a request waits for the model (at <paramref name="at"/>).</summary>
    Task ReportDemandAsync(ModelRoute route, DateTimeOffset at, CancellationToken ct);
}
