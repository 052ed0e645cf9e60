using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Cli;

/// <summary>
/// <c>model-runtime serve</c> as a kubelet stops it: SIGTERM, then the shutdown delay (not ready, still serving) once,
/// then the drain, then exit 0, well inside a pod's grace period.
/// </summary>
public sealed class ServeSigtermTests
{
    [Fact]
    public async Task Sigterm_WaitsTheShutdownDelayOnce_ThenExits0()
    {
        var log = Path.Combine(Path.GetTempPath(), $"serve-sigterm-{Guid.NewGuid():N}.log");
        try
        {
            await using var server = await ServerProcess.StartAsync(
                ["--model", ModelFiles.Mlp, "--device", "cpu", "--bench-iterations", "0", "--no-warm-up", "--shutdown-delay", "2"], log, CancellationToken.None);

            var code = await server.TerminateAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(0, code);
            var lines = await File.ReadAllLinesAsync(log);
            Assert.Single(lines, l => l.Contains("Stopping in 2 s"));
            Assert.Single(lines, l => l.Contains("Stopped serving model"));
        }
        finally { File.Delete(log); }
    }
}
