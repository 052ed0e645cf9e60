namespace ModelOperator.Activator;

/// <summary>
/// How many of a model's <c>maxHeldRequests</c> one activator replica holds, free of I/O. The limit is the model's, not
/// each replica's: it is split over the replicas the model's activator slice lists (sorted), the first
/// <c>limit % n</c> holding one more (5 over 2: 3 and 2), so together they hold at most the limit. Each holds at least
/// one, so every replica can wake the model; with a limit below the replica count they hold up to one each. A replica
/// the slice does not list yet (a new pod) holds <c>ceil(limit / n)</c>. The Service spreads requests over the
/// replicas, so a burst can meet a full replica while the other still has room: it gets 503 with Retry-After early,
/// never more than the limit held.
/// </summary>
public static class HeldShare
{
    /// <summary>The share of <paramref name="limit"/> that the replica at <paramref name="self"/> holds among <paramref name="activators"/>.</summary>
    public static int Of(int limit, IReadOnlyList<string> activators, string? self)
    {
        var n = activators.Count;
        if (n <= 1) return limit;
        var index = self is null ? -1 : IndexOf(activators, self);
        if (index < 0) return Math.Max(1, (limit + n - 1) / n);
        return Math.Max(1, limit / n + (index < limit % n ? 1 : 0));
    }

    private static int IndexOf(IReadOnlyList<string> activators, string self)
    {
        for (var i = 0; i < activators.Count; i++)
            if (activators[i] == self) return i;
        return -1;
    }
}
