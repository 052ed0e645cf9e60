namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// The port the management endpoints listen on, known once Kestrel has bound it (0 picks a free port). Requests are
/// told apart by the local port they arrived on, so the Service's ports (HTTP, gRPC) never reach these endpoints and
/// the management port never serves inference.
/// </summary>
internal sealed class ManagementPort
{
    /// <summary>The bound port; null before start or when the management port is off.</summary>
    public int? Port { get; set; }

    /// <summary>Whether <paramref name="context"/> arrived on the management port.</summary>
    public bool Serves(HttpContext context) => Port is { } p && context.Connection.LocalPort == p;
}
