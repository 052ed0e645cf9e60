using System.Text;
using System.Text.RegularExpressions;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// One line of a container log in the CRI format, as conmon's k8s-file driver (podman 4.3) and the kubelet's runtimes
/// write it: <c>&lt;RFC3339Nano time&gt; &lt;stdout|stderr&gt; &lt;F|P&gt; &lt;text&gt;</c>, e.g.
/// <c>2026-12-07T22:10:59.692970828+00:00 stdout F hello</c>. P marks a partial line, whose text goes on in the next
/// line of the file with no newline between them; F the full line or its last piece. Pure.
/// </summary>
public readonly partial record struct CriLogLine(string Time, string Stream, bool Partial, ReadOnlyMemory<byte> Text)
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    /// <summary>Parses one line of the file without its newline; false where it is not in the CRI format.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> line, out CriLogLine parsed)
    {
        parsed = default;
        var span = line.Span;
        var first = span.IndexOf((byte)' ');
        if (first is <= 0 or > 40) return false;
        var time = Encoding.ASCII.GetString(span[..first]);
        if (!Rfc3339().IsMatch(time)) return false;
        var rest = span[(first + 1)..];
        string stream;
        if (rest.StartsWith("stdout "u8)) stream = "stdout";
        else if (rest.StartsWith("stderr "u8)) stream = "stderr";
        else return false;
        rest = rest[7..];
        // The tags: F or P, possibly more of them joined by ':' in later CRI versions; the text after one space.
        var tagsEnd = rest.IndexOf((byte)' ');
        var tags = tagsEnd < 0 ? rest : rest[..tagsEnd];
        if (tags.Length == 0) return false;
        var partial = tags.IndexOf((byte)'P') >= 0 && (tags.Length == 1 || tags[1] == (byte)':');
        var textStart = first + 1 + 7 + (tagsEnd < 0 ? tags.Length : tagsEnd + 1);
        parsed = new CriLogLine(time, stream, partial, line[textStart..]);
        return true;
    }

    /// <summary>
    /// The time as the kubelet prints it before a line (<c>kubectl logs --timestamps</c>): RFC 3339 in UTC with nine
    /// fractional digits, <c>2026-12-07T22:10:59.692970828Z</c>.
    /// </summary>
    public string UtcTime()
    {
        var dot = Time.IndexOf('.');
        var zone = Time.EndsWith('Z') ? Time.Length - 1 : Time.Length - 6;
        var fraction = dot < 0 ? "" : Time[(dot + 1)..zone];
        var seconds = DateTimeOffset.Parse(string.Concat(Time.AsSpan(0, dot < 0 ? zone : dot), Time.AsSpan(zone)), System.Globalization.CultureInfo.InvariantCulture);
        return $"{seconds.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss}.{fraction.PadRight(9, '0')[..9]}Z";
    }

    /// <summary>One full line as conmon writes it (with its newline), for what the kubelet itself has to say in a container's log.</summary>
    public static string Format(DateTime utc, string stream, string text) =>
        $"{utc.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss.fffffff}00+00:00 {stream} F {text}\n";
}
