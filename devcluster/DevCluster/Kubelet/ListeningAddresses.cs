using System.Globalization;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>The IPv4 addresses that sockets on this machine listen on, read from <c>/proc/net/tcp</c>.</summary>
internal static class ListeningAddresses
{
    private const string ListenState = "0A";

    /// <summary>Whether some socket listens on exactly <paramref name="address"/> (host order), on any port.</summary>
    public static bool IsListenedOn(uint address)
    {
        string[] lines;
        try { lines = File.ReadAllLines("/proc/net/tcp"); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
        return Parse(lines).Contains(address);
    }

    /// <summary>Listening local addresses of <c>/proc/net/tcp</c> lines ("sl local_address rem_address st …").</summary>
    public static HashSet<uint> Parse(IEnumerable<string> lines)
    {
        var listening = new HashSet<uint>();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[3] != ListenState) continue;
            var local = fields[1].Split(':')[0];
            // The kernel prints the address as a little-endian 32-bit hex number.
            if (local.Length == 8 && uint.TryParse(local, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var raw))
                listening.Add(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(raw));
        }
        return listening;
    }
}
