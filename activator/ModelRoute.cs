namespace ModelOperator.Activator;

/// <summary>One scale-to-zero model as the activator sees it.</summary>
/// <param name="Namespace">The ModelDeployment's namespace.</param>
/// <param name="Name">The ModelDeployment's (and its Service's) name.</param>
/// <param name="MaxHeld">spec.autoscaling.scaleToZero.maxHeldRequests.</param>
/// <param name="ColdStartTimeout">spec.autoscaling.scaleToZero.coldStartTimeout.</param>
/// <param name="HttpBackends">Ready pods' host:port for the Service's http port.</param>
/// <param name="GrpcBackends">Ready pods' host:port for the Service's grpc port.</param>
/// <param name="DemandReported">The ModelDeployment already carries a demand newer than its last scale to zero.</param>
public sealed record ModelRoute(string Namespace, string Name, int MaxHeld, TimeSpan ColdStartTimeout,
    IReadOnlyList<string> HttpBackends, IReadOnlyList<string> GrpcBackends, bool DemandReported)
{
    /// <summary>namespace/name.</summary>
    public string Key => $"{Namespace}/{Name}";

    /// <summary>The ready backends of one protocol.</summary>
    public IReadOnlyList<string> Backends(bool grpc) => grpc ? GrpcBackends : HttpBackends;
}
