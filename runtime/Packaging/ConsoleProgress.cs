using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// Transfer progress for the CLI: a redrawn bar on stderr when stdout is a terminal, otherwise structured log lines
/// at the start, every few seconds and at the end (a log collector gets no carriage returns).
/// </summary>
internal sealed class ConsoleProgress(ILogger logger, bool terminal) : IProgressFactory
{
    private bool Terminal => terminal;
    private ILogger Logger => logger;

    public static ConsoleProgress ForConsole(ILogger logger) => new(logger, terminal: !Console.IsOutputRedirected);

    public ITransferProgress Start(string verb, OciDescriptor blob)
    {
        logger.LogInformation("Started {Verb} {Digest} ({Bytes} bytes)", verb, Short(blob.Digest), blob.Size);
        return new Bar(this, verb, blob);
    }

    public void Finish(ITransferProgress progress)
    {
        var bar = (Bar)progress;
        if (terminal) Console.Error.WriteLine();
        logger.LogInformation("Finished {Verb} {Digest}: {Bytes} bytes in {Seconds:F2} s", bar.Verb, Short(bar.Blob.Digest), bar.Done,
            bar.Clock.Elapsed.TotalSeconds);
    }

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;

    private sealed class Bar(ConsoleProgress owner, string verb, OciDescriptor blob) : ITransferProgress
    {
        public string Verb => verb;
        public OciDescriptor Blob => blob;
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
        public long Done { get; private set; }
        private TimeSpan? _last;

        public void Advance(long bytes)
        {
            Done += bytes;
            var now = Clock.Elapsed;
            if (owner.Terminal)
            {
                if (_last is { } last && now - last < TimeSpan.FromMilliseconds(100) && Done < blob.Size) return;
                _last = now;
                var fraction = blob.Size > 0 ? Math.Min(1.0, (double)Done / blob.Size) : 1.0;
                var filled = (int)(fraction * 30);
                Console.Error.Write($"\r{verb} {Short(blob.Digest)} [{new string('#', filled)}{new string('.', 30 - filled)}] " +
                    $"{Done / 1048576.0,8:F1}/{blob.Size / 1048576.0:F1} MiB");
            }
            else if (_last is null)
            {
                _last = now;
            }
            else if (now - _last.Value >= TimeSpan.FromSeconds(5))
            {
                owner.Logger.LogInformation("Progressed {Verb} {Digest}: {Done}/{Bytes} bytes", verb, Short(blob.Digest), Done, blob.Size);
                _last = now;
            }
        }
    }
}
