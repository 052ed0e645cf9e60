using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ModelOperator.Operator.Api;

namespace ModelOperator.Activator;

/// <summary>
/// Holds a model's requests while it has no ready pod: up to maxHeldRequests at once (beyond them 503 at once), each
/// for up to coldStartTimeout (then 503), both with Retry-After, never a hang. The first request held at zero reports
/// the demand at once (the operator wakes the model in the same reconcile), and every held request is released to a
/// ready pod as soon as the table shows one. A request for a model that has a ready pod passes straight through.
/// </summary>
internal sealed class RequestHolder(IRouteSource source, ActivatorMetrics metrics, TimeProvider time, ILogger logger)
{
    /// <summary>Retry-After when the held limit is reached: the cold start under way usually ends within it.</summary>
    public const int OverLimitRetryAfterSeconds = 2;

    private static readonly TimeSpan DemandRecheck = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, ModelHold> _holds = new();

    /// <summary>Requests held now for namespace/name.</summary>
    public int HeldNow(string key) => _holds.TryGetValue(key, out var hold) ? Volatile.Read(ref hold.Held) : 0;

    /// <summary>Decides what becomes of one request for <paramref name="route"/>'s model on the http or grpc port.</summary>
    /// <param name="self">The activator pod's address the request arrived on: which share of maxHeldRequests this replica holds (<see cref="HeldShare"/>).</param>
    public async Task<HoldOutcome> HoldAsync(ModelRoute route, bool grpc, CancellationToken aborted, string? self = null)
    {
        var hold = _holds.GetOrAdd(route.Key, _ => new ModelHold());
        if (Pick(route, grpc, hold) is { } ready) return new HoldOutcome.Forward(ready, TimeSpan.Zero);

        var share = route.MaxHeldBy(self);
        if (Interlocked.Increment(ref hold.Held) > share)
        {
            Interlocked.Decrement(ref hold.Held);
            metrics.Rejected.WithLabels(route.Namespace, route.Name).Inc();
            var replicas = route.Activators?.Count ?? 0;
            return new HoldOutcome.Unavailable("HeldRequestLimit", replicas > 1
                ? $"model {route.Key} is waking and this activator already holds its share of {share} of the model's limit of {route.MaxHeld} requests "
                  + $"(scaleToZero.maxHeldRequests, split over {replicas} activator replicas); retry shortly"
                : $"model {route.Key} is waking and already holds its limit of {route.MaxHeld} requests (scaleToZero.maxHeldRequests); retry shortly",
                OverLimitRetryAfterSeconds);
        }
        var gauge = metrics.Held.WithLabels(route.Namespace, route.Name);
        gauge.Inc();
        var start = time.GetUtcNow();
        var outcome = "cancelled";
        try
        {
            while (true)
            {
                var current = source.Table.Get(route.Key) ?? route;
                var deadline = start + current.ColdStartTimeout; // a coldStartTimeout changed meanwhile applies to held requests too
                if (Pick(current, grpc, hold) is { } backend)
                {
                    outcome = "forwarded";
                    return new HoldOutcome.Forward(backend, time.GetUtcNow() - start);
                }
                ReportDemand(current, hold);
                var remaining = deadline - time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    outcome = "timeout";
                    metrics.Timeouts.WithLabels(route.Namespace, route.Name).Inc();
                    return new HoldOutcome.Unavailable("ColdStartTimeout",
                        $"model {route.Key} had no ready pod within {Durations.Format(current.ColdStartTimeout)} (scaleToZero.coldStartTimeout); its status says why",
                        RetryAfter(current));
                }
                // The table changes on watch events; without one, look again within a second anyway, so a demand
                // whose write failed is reported again (ReportDemand) and the timeout is kept to the millisecond.
                var wake = source.NextRefreshAsync();
                await Task.WhenAny(wake, Task.Delay(remaining < DemandRecheck ? remaining : DemandRecheck, time, aborted)).ConfigureAwait(false);
                if (aborted.IsCancellationRequested) return new HoldOutcome.Cancelled();
            }
        }
        finally
        {
            Interlocked.Decrement(ref hold.Held);
            gauge.Dec();
            metrics.HoldSeconds.WithLabels(route.Namespace, route.Name, outcome).Observe((time.GetUtcNow() - start).TotalSeconds);
        }
    }

    // A ready backend of the protocol, in turn; a model with one again starts its next cold start afresh.
    private static string? Pick(ModelRoute route, bool grpc, ModelHold hold)
    {
        var backends = route.Backends(grpc);
        if (backends.Count == 0) return null;
        lock (hold) hold.DemandSentAt = null;
        return backends[(int)((uint)Interlocked.Increment(ref hold.Next) % (uint)backends.Count)];
    }

    // Once per cold start (again only if the write did not show within a few seconds): the annotation the operator wakes the model on.
    private void ReportDemand(ModelRoute route, ModelHold hold)
    {
        if (route.DemandReported) return;
        var now = time.GetUtcNow();
        bool first;
        lock (hold)
        {
            if (hold.DemandSentAt is { } sent && now - sent < TimeSpan.FromSeconds(3)) return;
            first = hold.DemandSentAt is null;
            hold.DemandSentAt = now;
        }
        if (first) metrics.ColdStarts.WithLabels(route.Namespace, route.Name).Inc();
        logger.LogInformation("Holding requests for {Model} at zero: reported demand at {At}", route.Key, now);
        _ = source.ReportDemandAsync(route, now, CancellationToken.None).ContinueWith(t =>
            logger.LogWarning("Reporting demand for {Model} failed (retrying with the next held request): {Error}", route.Key, t.Exception?.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    // A timed-out client should come back once the cold start has had another chance, not hammer the activator.
    private static int RetryAfter(ModelRoute route) => (int)Math.Clamp(Math.Ceiling(route.ColdStartTimeout.TotalSeconds / 4), 1, 30);

    private sealed class ModelHold
    {
        public int Held;
        public int Next = -1;
        public DateTimeOffset? DemandSentAt;
    }
}
