using ModelOperator.KubeDouble.PodLogs;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// Where the kubelet keeps what containers print, as a real one keeps <c>/var/log/pods</c>:
/// <c>&lt;root&gt;/&lt;namespace&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/&lt;instance&gt;.log</c>, one file per container
/// instance (instance = restart count), and a <c>.exited</c> marker beside it once that instance has ended. Serves
/// <c>pods/log</c> from those files.
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
        await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var limit = request.LimitBytes ?? long.MaxValue;
        if (request.TailLines is { } tail) input.Position = TailStart(input, tail);
        var sent = await CopyAsync(input, output, limit, ct);
        if (!request.Follow || request.Previous) return;
        var marker = Path.ChangeExtension(file, ".exited");
        while (sent < limit && !ct.IsCancellationRequested)
        {
            var exited = File.Exists(marker);
            var copied = await CopyAsync(input, output, limit - sent, ct);
            sent += copied;
            if (copied == 0 && exited) return;
            if (copied == 0) await Task.Delay(FollowPoll, ct);
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
