using System.Net;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// Hands out pod IPs from a loopback CIDR, lowest free first, never the network address nor 127.0.0.1 (Linux routes
/// all of 127.0.0.0/8 to loopback, so each pod can listen on its own address), and never an address something on
/// this machine already listens on (another dev cluster, a test's cluster running beside this one), which would
/// otherwise answer for the pod. Thread-safe.
/// </summary>
public sealed class PodIpAllocator
{
    private readonly Func<uint, bool> _takenElsewhere;
    private readonly uint _first;
    private readonly uint _last;
    private readonly Dictionary<string, uint> _byOwner = [];
    private readonly HashSet<uint> _used = [];
    // Clusters in one process (tests run side by side) must not hand out the same address before either binds it.
    private static readonly HashSet<uint> UsedInThisProcess = [];

    public PodIpAllocator(string cidr) : this(cidr, ListeningAddresses.IsListenedOn) { }

    /// <summary>An allocator that also skips addresses for which <paramref name="takenElsewhere"/> holds.</summary>
    public PodIpAllocator(string cidr, Func<uint, bool> takenElsewhere)
    {
        _takenElsewhere = takenElsewhere;
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out var bits) || bits is < 8 or > 30)
            throw new ArgumentException($"pod CIDR \"{cidr}\" must be an IPv4 range such as 127.10.0.0/16 (prefix 8 to 30)");
        var network = ToUInt(ip) & (uint.MaxValue << (32 - bits));
        if (network >> 24 != 127)
            throw new ArgumentException($"pod CIDR \"{cidr}\" must lie in 127.0.0.0/8: pods listen on loopback addresses");
        _first = network + 1;
        _last = network + (uint)((1L << (32 - bits)) - 2);
    }

    /// <summary>The owner's address (the same one again when it already has one).</summary>
    public string Allocate(string owner)
    {
        lock (UsedInThisProcess)
        {
            if (_byOwner.TryGetValue(owner, out var held)) return ToText(held);
            for (var candidate = _first; candidate <= _last; candidate++)
            {
                if (candidate == 0x7F000001 || UsedInThisProcess.Contains(candidate) || _takenElsewhere(candidate)) continue;
                _used.Add(candidate);
                UsedInThisProcess.Add(candidate);
                _byOwner[owner] = candidate;
                return ToText(candidate);
            }
            throw new InvalidOperationException($"the pod CIDR has no free address left ({_used.Count} in use)");
        }
    }

    /// <summary>Returns the owner's address to the pool.</summary>
    public void Release(string owner)
    {
        lock (UsedInThisProcess)
            if (_byOwner.Remove(owner, out var held))
            {
                _used.Remove(held);
                UsedInThisProcess.Remove(held);
            }
    }

    internal static uint ToUInt(IPAddress ip)
    {
        var b = ip.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static string ToText(uint value) => $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}";
}
