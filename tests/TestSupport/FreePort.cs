using System.Net;
using System.Net.Sockets;

namespace ModelOperator.TestSupport;

/// <summary>Loopback ports for servers that cannot bind port 0 themselves (a registry takes its address from a config file).</summary>
public static class FreePort
{
    /// <summary>A port free on 127.0.0.1 now.</summary>
    public static int Next() => Next(IPAddress.Loopback);

    /// <summary>A port free on <paramref name="address"/> now.</summary>
    public static int Next(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port where nothing listens, for "server is down" tests.</summary>
    public static int Closed() => Next();
}
