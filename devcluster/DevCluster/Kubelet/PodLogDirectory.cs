using ModelOperator.KubeDouble.PodLogs;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// Where the kubelet keeps what containers print, as a real one keeps <c>/var/log/pods</c>:
/// <c>&lt;root&gt;/&lt;namespace&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/&lt;instance&gt;.log</c>, one file per container
/// instance (instance = restart count), and a <c>.exited</c> marker beside it once that instance has ended. Serves
/// <c>pods/log</c> from those files: a container's (conmon's k8s-file driver) in the CRI format, read back to what it
/// printed (<see cref="CriLogText"/>); a local process's as it printed it (the kubelet pumps its pipes into the file).
/// Each file says which it is by its first line. Only a CRI log records when each line was printed
/// (<c>kubectl logs --timestamps</c>); a process's log is served without times.
/// </summary>
public sealed class PodLogDirectory(string root) : IPodLogSource
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(100);

    public string Root { get; } = root;

    /// <summary>The log file of one container instance.</summary>
    public string LogFile(string ns, string pod, string uid, string container, int instance) =>
        Path.Combine(Root, $"{ns}_{pod}_{uid}", container, $"{instance}.log");

    /// <summary>Marks an instance's log complete, so that followers stop.</summary>
    public static void MarkExited(string logFile) => File.WriteAllText(Path.ChangeExtension(logFile, ".exited"), "");

    public async Task StreamAsync(PodLogRequest request, Stream output, CancellationToken ct)
    {
        var folder = Path.Combine(Root, $"{request.Namespace}_{request.Pod}_{request.Uid}", request.Container);
        var instances = Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.log").Select(f => int.TryParse(Path.GetFileNameWithoutExtension(f), out var n) ? n : -1).Where(n => n >= 0).Order().ToList()
            : [];
        if (instances.Count == 0)
            throw new PodLogException($"container \"{request.Container}\" in pod \"{request.Pod}\" is waiting to start: ContainerCreating");
        var instance = instances[^1];
        if (request.Previous)
        {
            if (instances.Count < 2) throw new PodLogException($"previous terminated container \"{request.Container}\" in pod \"{request.Pod}\" not found");
            instance = instances[^2];
        }
        var file = Path.Combine(folder, $"{instance}.log");
        var marker = Path.ChangeExtension(file, ".exited");
        var follow = request.Follow && !request.Previous;
        await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var limit = request.LimitBytes ?? long.MaxValue;
        bool? cri;
        // Undecided until the first line is complete: a follower of a container that has printed nothing yet waits.
        while ((cri = IsCri(file)) is null && follow && !File.Exists(marker) && !ct.IsCancellationRequested) await Task.Delay(FollowPoll, ct);
        if (cri == true)
        {
            await StreamCriAsync(input, marker, request.TailLines, limit, follow, request.Timestamps, output, ct);
            return;
        }
        if (request.TailLines is { } tail) input.Position = TailStart(input, tail);
        var sent = await CopyAsync(input, output, limit, ct);
        if (!follow) return;
        while (sent < limit && !ct.IsCancellationRequested)
        {
            var exited = File.Exists(marker);
            var copied = await CopyAsync(input, output, limit - sent, ct);
            sent += copied;
            if (copied == 0 && exited) return;
            if (copied == 0) await Task.Delay(FollowPoll, ct);
        }
    }

    /// <summary>What an instance printed, in either format (the termination message's log tail).</summary>
    public static string ReadText(string logFile)
    {
        var bytes = File.ReadAllBytes(logFile);
        return System.Text.Encoding.UTF8.GetString(IsCri(bytes) == true ? CriLogText.Decode(bytes) : bytes);
    }

    /// <summary>Whether the file's first line is a CRI log line; null while it has no complete line.</summary>
    private static bool? IsCri(string file)
    {
        using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var head = new byte[4096];
        var read = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return IsCri(head.AsMemory(0, read));
    }

    private static bool? IsCri(ReadOnlyMemory<byte> head)
    {
        var newline = head.Span.IndexOf((byte)'\n');
        if (newline < 0) return head.Length >= 4096 ? false : (bool?)null;
        return CriLogLine.TryParse(head[..newline], out _);
    }

    /// <summary>
    /// A CRI log read back to what the container printed: the last lines asked for, at most <paramref name="limit"/>
    /// bytes of the text, then (following) each line as conmon completes it until the instance has exited.
    /// </summary>
    private static async Task StreamCriAsync(FileStream input, string marker, long? tailLines, long limit, bool follow, bool timestamps,
        Stream output, CancellationToken ct)
    {
        var pending = new MemoryStream();
        var lineStart = true;
        long sent = 0;
        var first = true;
        while (sent < limit && !ct.IsCancellationRequested)
        {
            var exited = File.Exists(marker); // before reading: what conmon wrote before the marker is read in this round
            await input.CopyToAsync(pending, ct);
            var (lines, consumed) = CriLogText.CompleteLines(pending.GetBuffer().AsMemory(0, (int)pending.Length));
            var entries = lines.Select(CriLogText.Parse).ToList();
            var start = first && tailLines is { } tail ? CriLogText.TailStart(entries, tail) : 0;
            first = false;
            foreach (var entry in entries.Skip(start))
            {
                var text = timestamps ? CriLogText.PrintedWithTime(entry, lineStart) : CriLogText.Printed(entry);
                lineStart = !entry.Partial;
                var part = (int)Math.Min(text.Length, limit - sent);
                await output.WriteAsync(text.AsMemory(0, part), ct);
                sent += part;
                if (sent >= limit) return;
            }
            // The incomplete last line waits for the next round.
            var rest = pending.GetBuffer().AsSpan(consumed, (int)pending.Length - consumed).ToArray();
            pending.SetLength(0);
            pending.Write(rest);
            if (!follow) return;
            if (lines.Count > 0) continue;
            if (exited) return;
            await Task.Delay(FollowPoll, ct);
        }
    }

    private static async Task<long> CopyAsync(Stream input, Stream output, long limit, CancellationToken ct)
    {
        var buffer = new byte[16384];
        long total = 0;
        int read;
        while (total < limit && (read = await input.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total)), ct)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
            total += read;
        }
        return total;
    }

    /// <summary>The offset where the last <paramref name="lines"/> lines begin (a final line without newline counts).</summary>
    private static long TailStart(FileStream input, long lines)
    {
        if (lines == 0) return input.Length;
        var bytes = new byte[input.Length];
        input.ReadExactly(bytes);
        var end = bytes.Length;
        if (end > 0 && bytes[end - 1] == (byte)'\n') end--;
        var seen = 0L;
        for (var i = end - 1; i >= 0; i--)
            if (bytes[i] == (byte)'\n' && ++seen == lines) return i + 1;
        return 0;
    }
}
