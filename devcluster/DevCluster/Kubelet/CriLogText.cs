namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// What a container printed, read back from its CRI log (<see cref="CriLogLine"/>): each line's text, a newline after
/// every full (F) line, the pieces of a partial (P) line joined; and where its last N lines begin, a line split into
/// pieces counting once (as the user sees it in <c>kubectl logs</c>). A line of the file that is not in the CRI
/// format is kept as it is. Pure.
/// </summary>
public static class CriLogText
{
    /// <summary>The complete (newline-terminated) lines of <paramref name="bytes"/> without their newline, and how many bytes they took.</summary>
    public static (List<ReadOnlyMemory<byte>> Lines, int Consumed) CompleteLines(ReadOnlyMemory<byte> bytes)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var start = 0;
        int newline;
        while ((newline = bytes.Span[start..].IndexOf((byte)'\n')) >= 0)
        {
            lines.Add(bytes.Slice(start, newline));
            start += newline + 1;
        }
        return (lines, start);
    }

    /// <summary>A line of the file as a CRI entry; a line in no CRI format as a full line of its own.</summary>
    public static CriLogLine Parse(ReadOnlyMemory<byte> line) =>
        CriLogLine.TryParse(line, out var parsed) ? parsed : new CriLogLine("", "stdout", false, line);

    /// <summary>What the container printed in one entry: its text, and a newline once the line is full.</summary>
    public static byte[] Printed(CriLogLine line) => line.Partial ? line.Text.ToArray() : [.. line.Text.Span, (byte)'\n'];

    /// <summary>
    /// What one entry shows with <c>--timestamps</c>: its time and a space before the first piece of each line, as the
    /// kubelet prints it (an entry outside the CRI format has no time and shows as it is).
    /// </summary>
    public static byte[] PrintedWithTime(CriLogLine line, bool lineStart) =>
        lineStart && line.Time.Length > 0 ? [.. System.Text.Encoding.ASCII.GetBytes(line.UtcTime() + " "), .. Printed(line)] : Printed(line);

    /// <summary>The index of the entry where the last <paramref name="count"/> lines begin (a trailing partial line, still being written, counts).</summary>
    public static int TailStart(IReadOnlyList<CriLogLine> entries, long count)
    {
        if (count == 0) return entries.Count;
        long seen = 0;
        for (var i = entries.Count - 1; i >= 0; i--)
            if ((i == 0 || !entries[i - 1].Partial) && ++seen == count) return i;
        return 0;
    }

    /// <summary>Everything the container printed, from the whole file (a last line without newline included).</summary>
    public static byte[] Decode(ReadOnlyMemory<byte> file)
    {
        var (lines, consumed) = CompleteLines(file);
        if (consumed < file.Length) lines.Add(file[consumed..]);
        using var text = new MemoryStream();
        foreach (var line in lines) text.Write(Printed(Parse(line)));
        return text.ToArray();
    }
}
