namespace ModelOperator.Activator;

/// <summary>One scale-to-zero model as the activator sees it.</summary>
/// <param name="Namespace">The ModelDeployment's namespace.</param>
/// <param name="Name">The ModelDeployment's (and its Service's) name.</param>
/// <param name="MaxHeld">spec.autoscaling.scaleToZero.maxHeldRequests.</param>
/// <param name="ColdStartTimeout">spec.autoscaling.scaleToZero.coldStartTimeout.</param>
/// <param name="HttpBackends">Ready pods' host:port for the Service's http port.</param>
/// <param name="GrpcBackends">Ready pods' host:port for the Service's grpc port.</param>
/// <param name="DemandReported">The ModelDeployment already carries a demand newer than its last scale to zero.</param>
/// <param name="Activators">The activator replicas the operator routes the model's Service to (its activator slice's addresses, sorted); empty when it routes to none.</param>
public sealed record ModelRoute(string Namespace, string Name, int MaxHeld, TimeSpan ColdStartTimeout,
    IReadOnlyList<string> HttpBackends, IReadOnlyList<string> GrpcBackends, bool DemandReported, IReadOnlyList<string>? Activators = null)
{
    /// <summary>How many of <see cref="MaxHeld"/> the activator replica at <paramref name="self"/> holds (<see cref="HeldShare"/>).</summary>
    public int MaxHeldBy(string? self) => HeldShare.Of(MaxHeld, Activators ?? [], self);

    /// <summary>namespace/name.</summary>
    public string Key => $"{Namespace}/{Name}";

    /// <summary>The ready backends of one protocol.</summary>
    public IReadOnlyList<string> Backends(bool grpc) => grpc ? GrpcBackends : HttpBackends;
}
