using System.Text;
using ModelOperator.DevCluster.Kubelet;
using ModelOperator.KubeDouble.PodLogs;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>
/// kubectl logs of a container, whose conmon writes the CRI log format, and of a process, whose log is what it
/// printed: the user sees what the program printed either way.
/// </summary>
public sealed class PodLogCriFormatTests : IDisposable
{
    // As conmon's k8s-file driver (podman 4.3) wrote it for `echo hello; printf partial; echo err >&2; echo " done"`.
    private const string ContainerLog =
        "2026-12-07T22:10:59.692970828+00:00 stdout F hello\n" +
        "2026-12-07T22:10:59.692970828+00:00 stdout P partial\n" +
        "2026-12-07T22:10:59.693067602+00:00 stderr F err\n" +
        "2026-12-07T22:10:59.693100000+00:00 stdout F  done\n";

    private readonly string _root = Directory.CreateTempSubdirectory("podlog-").FullName;
    private readonly PodLogDirectory _logs;

    public PodLogCriFormatTests() => _logs = new PodLogDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ALine_IsParsedIntoTimeStreamPartialAndText()
    {
        Assert.True(CriLogLine.TryParse("2026-12-07T22:10:59.692970828+00:00 stderr P a b "u8.ToArray(), out var line));
        Assert.Equal(("2026-12-07T22:10:59.692970828+00:00", "stderr", true, "a b "), (line.Time, line.Stream, line.Partial, Encoding.UTF8.GetString(line.Text.Span)));
        Assert.True(CriLogLine.TryParse("2026-12-07T22:10:59Z stdout F"u8.ToArray(), out var empty));
        Assert.Equal(0, empty.Text.Length);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("2026-12-07 stdout F not an RFC 3339 time")]
    [InlineData("2026-12-07T22:10:59Z stdin F no such stream")]
    [InlineData("")]
    public void AProcessLine_IsNoCriLine(string text) => Assert.False(CriLogLine.TryParse(Encoding.UTF8.GetBytes(text), out _));

    [Fact]
    public void Format_WritesALineTheParserReads()
    {
        var written = CriLogLine.Format(new DateTime(2026, 12, 7, 22, 10, 59, DateTimeKind.Utc).AddTicks(1234567), "stderr", "Error: no such file");
        Assert.Equal("2026-12-07T22:10:59.123456700+00:00 stderr F Error: no such file\n", written);
        Assert.Equal("Error: no such file\n", Encoding.UTF8.GetString(CriLogText.Decode(Encoding.UTF8.GetBytes(written))));
    }

    [Fact]
    public async Task ContainerLog_IsServedAsPrinted_PartialLinesJoined()
    {
        Write(0, ContainerLog);
        Assert.Equal("hello\npartialerr\n done\n", await LogsAsync());
    }

    [Fact]
    public async Task ContainerLog_TailCountsALineSplitInPiecesOnce_AndLimitBytesCutsThePrintedText()
    {
        Write(0, "2026-12-07T22:10:59Z stdout F one\n2026-12-07T22:10:59Z stdout P tw\n2026-12-07T22:10:59Z stdout F o\n2026-12-07T22:10:59Z stdout F three\n");
        Assert.Equal("two\nthree\n", await LogsAsync(tailLines: 2));
        Assert.Equal("three\n", await LogsAsync(tailLines: 1));
        Assert.Equal("", await LogsAsync(tailLines: 0));
        Assert.Equal("one\ntw", await LogsAsync(limitBytes: 6));
    }

    [Fact]
    public async Task Timestamps_PrefixEachLineWithItsTimeInUtc_AsTheKubeletPrintsThem()
    {
        Write(0, ContainerLog.Replace("22:10:59.693100000+00:00", "23:10:59.6931+01:00"));
        Assert.Equal(
            "2026-12-07T22:10:59.692970828Z hello\n2026-12-07T22:10:59.692970828Z partialerr\n2026-12-07T22:10:59.693100000Z  done\n",
            await LogsAsync(timestamps: true));
        Assert.Equal("2026-12-07T22:10:59.693100000Z  done\n", await LogsAsync(tailLines: 1, timestamps: true));
    }

    [Fact]
    public async Task Previous_ServesTheInstanceBefore()
    {
        Write(0, "2026-12-07T22:10:59Z stderr F crashed\n");
        PodLogDirectory.MarkExited(_logs.LogFile("default", "p", "u", "main", 0));
        Write(1, "2026-12-07T22:11:09Z stdout F restarted\n");
        Assert.Equal("crashed\n", await LogsAsync(previous: true));
        Assert.Equal("restarted\n", await LogsAsync());
    }

    [Fact]
    public async Task Follow_StreamsEachLineAsConmonCompletesIt_UntilTheInstanceExited()
    {
        var file = Write(0, "2026-12-07T22:10:59Z stdout F first\n");
        using var output = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var following = _logs.StreamAsync(new PodLogRequest("default", "p", "u", "main", Follow: true, Previous: false, null, null), output, timeout.Token);
        await Eventually.TrueAsync(() => Encoding.UTF8.GetString(output.ToArray()) == "first\n", "the first line to be served");

        await File.AppendAllTextAsync(file, "2026-12-07T22:11:00Z stdout P sec");
        await Task.Delay(300); // half a CRI line is not served
        Assert.Equal("first\n", Encoding.UTF8.GetString(output.ToArray()));
        await File.AppendAllTextAsync(file, "ond\n2026-12-07T22:11:00Z stdout F  and last\n");
        PodLogDirectory.MarkExited(file);
        await following;

        Assert.Equal("first\nsecond and last\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task ProcessLog_IsServedAsItIs()
    {
        Write(0, "plain output\n2026-12-07T22:10:59Z stdout F printed by the program itself\nno newline");
        Assert.Equal("plain output\n2026-12-07T22:10:59Z stdout F printed by the program itself\nno newline", await LogsAsync());
        Assert.Equal("no newline", await LogsAsync(tailLines: 1));
        Assert.Equal("plain output\n", await LogsAsync(limitBytes: 13, timestamps: true)); // a process's log records no times
    }

    [Fact]
    public void ReadText_GivesWhatWasPrinted_InEitherFormat()
    {
        Assert.Equal("hello\npartialerr\n done\n", PodLogDirectory.ReadText(Write(0, ContainerLog)));
        Assert.Equal("line one\nline two", PodLogDirectory.ReadText(Write(1, "line one\nline two")));
    }

    private string Write(int instance, string text)
    {
        var file = _logs.LogFile("default", "p", "u", "main", instance);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    private async Task<string> LogsAsync(long? tailLines = null, long? limitBytes = null, bool previous = false, bool timestamps = false)
    {
        using var output = new MemoryStream();
        await _logs.StreamAsync(new PodLogRequest("default", "p", "u", "main", Follow: false, previous, tailLines, limitBytes, timestamps), output, CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }
}
