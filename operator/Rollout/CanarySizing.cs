namespace ModelOperator.Operator.Rollout;

/// <summary>
/// Traffic splits by replica ratio: stable keeps its replicas and the canary is a surge. For a step's weight the canary
/// gets the count, at most <c>replicas.max</c> and at least one, whose share <c>c / (stable + c)</c> is closest to the
/// weight (the smaller count on a tie, to risk less).
/// </summary>
public static class CanarySizing
{
    /// <summary>Canary replicas for <paramref name="weightPercent"/> beside <paramref name="stableReplicas"/>.</summary>
    public static int Replicas(int weightPercent, int stableReplicas, int maxReplicas)
    {
        if (weightPercent <= 0) return 0;
        maxReplicas = Math.Max(1, maxReplicas);
        if (stableReplicas <= 0) return maxReplicas;
        var best = 1;
        var bestError = double.MaxValue;
        for (var c = 1; c <= maxReplicas; c++)
        {
            var error = Math.Abs(100.0 * c / (stableReplicas + c) - weightPercent);
            if (error < bestError - 1e-9) { best = c; bestError = error; }
        }
        return best;
    }

    /// <summary>The canary's share of admitted (ready) pods in percent, rounded; what <c>status.canaryWeight</c> reports.</summary>
    public static int AchievedWeight(int readyCanary, int readyStable)
    {
        var total = Math.Max(0, readyCanary) + Math.Max(0, readyStable);
        return total == 0 ? 0 : (int)Math.Round(100.0 * Math.Max(0, readyCanary) / total, MidpointRounding.AwayFromZero);
    }
}
