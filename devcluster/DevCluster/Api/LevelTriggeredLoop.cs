using k8s;
using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster.Api;

/// <summary>
/// The loop every dev-cluster controller runs: a pass whenever one of the watched collections changes, and at least
/// every resync period; each pass lists what it needs afresh (level-triggered), and a failed pass is logged and tried
/// again half a second later.
/// </summary>
internal static class LevelTriggeredLoop
{
    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="pass"/> on changes to <paramref name="paths"/> (e.g. <c>api/v1/pods</c>) until <paramref name="ct"/> is cancelled.</summary>
    public static async Task RunAsync(IKubernetes client, IEnumerable<string> paths, ILogger logger, string passName,
        Func<CancellationToken, Task> pass, CancellationToken ct)
    {
        var changes = new ApiChanges(client, paths, ct);
        while (!ct.IsCancellationRequested)
        {
            await changes.WaitAsync(Resync, ct);
            try { await pass(ct); }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "{Pass} failed", passName);
                changes.Signal();
                try { await Task.Delay(500, ct); } catch (OperationCanceledException) { }
            }
        }
        await changes.Watches;
    }
}
