using System.Net;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Networking;

/// <summary>
/// Keeps dev clusters on one machine off each other's cluster IPs: an address is taken when something listens on it
/// (another developer's or another test's cluster) or when a cluster of this process already handed it out.
/// </summary>
internal static class LoopbackClaims
{
    private static readonly HashSet<string> ClaimedInThisProcess = [];

    /// <summary>Whether a Service cluster IP is taken; claims it for this process when it is not.</summary>
    public static bool ServiceIPTaken(string address)
    {
        lock (ClaimedInThisProcess)
        {
            if (ClaimedInThisProcess.Contains(address)) return true;
            if (IPAddress.TryParse(address, out var ip) && ListeningAddresses.IsListenedOn(PodIpAllocator.ToUInt(ip))) return true;
            ClaimedInThisProcess.Add(address);
            return false;
        }
    }
}
