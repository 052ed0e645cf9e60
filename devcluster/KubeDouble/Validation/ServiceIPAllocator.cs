using System.Net;

namespace ModelOperator.KubeDouble.Validation;

/// <summary>Hands out Service cluster IPs from an IPv4 range, as the API server's allocator does (never reusing one).</summary>
internal sealed class ServiceIPAllocator
{
    private readonly uint _first;
    private readonly uint _count;
    private readonly Func<string, bool> _taken;
    private uint _next = 1;

    public ServiceIPAllocator(string cidr, Func<string, bool>? taken = null)
    {
        _taken = taken ?? (_ => false);
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || !int.TryParse(parts[1], out var bits) || bits is < 8 or > 30)
            throw new ArgumentException($"Service cluster IP range '{cidr}' is not an IPv4 CIDR such as 10.96.0.0/16");
        var bytes = address.GetAddressBytes();
        _first = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) & (uint.MaxValue << (32 - bits));
        _count = 1u << (32 - bits);
    }

    public string Next()
    {
        lock (this)
        {
            while (_next < _count - 1)
            {
                var ip = _first + _next++;
                var text = new IPAddress([(byte)(ip >> 24), (byte)(ip >> 16), (byte)(ip >> 8), (byte)ip]).ToString();
                if (!_taken(text)) return text;
            }
            throw new Http.ApiException(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full");
        }
    }
}
