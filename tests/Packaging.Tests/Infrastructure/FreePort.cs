using System.Net;
using System.Net.Sockets;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>Loopback ports for servers that cannot bind port 0 themselves (the registry takes its address from a config file).</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port where nothing listens, for "registry is down" tests.</summary>
    public static int Closed() => Next();
}
