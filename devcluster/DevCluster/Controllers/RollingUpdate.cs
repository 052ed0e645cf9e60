using k8s.Models;

namespace ModelOperator.DevCluster.Controllers;

/// <summary>One ReplicaSet as the rollout sees it: its desired, current and available replicas.</summary>
public sealed record ReplicaSetCounts(string Name, int Desired, int Available);

/// <summary>
/// The Deployment controller's rolling update, free of I/O (pkg/controller/deployment/rolling.go): scale the new
/// ReplicaSet up within <c>maxSurge</c>, then scale old ones down while at least replicas − <c>maxUnavailable</c>
/// pods stay available, unavailable old pods first.
/// </summary>
public static class RollingUpdate
{
    /// <summary>maxSurge and maxUnavailable resolved against the desired replicas (percentages: surge rounds up, unavailable down).</summary>
    public static (int Surge, int Unavailable) Limits(V1DeploymentStrategy? strategy, int replicas)
    {
        var rolling = strategy?.RollingUpdate;
        var surge = Resolve(rolling?.MaxSurge?.Value, "25%", replicas, roundUp: true);
        var unavailable = Resolve(rolling?.MaxUnavailable?.Value, "25%", replicas, roundUp: false);
        if (surge == 0 && unavailable == 0) unavailable = 1;
        return (surge, unavailable);
    }

    private static int Resolve(string? value, string fallback, int replicas, bool roundUp)
    {
        var text = string.IsNullOrEmpty(value) ? fallback : value;
        if (text.EndsWith('%'))
        {
            if (!int.TryParse(text[..^1], out var percent) || percent < 0) throw new FormatException($"invalid percentage \"{text}\"");
            var exact = replicas * percent / 100.0;
            return (int)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
        }
        return int.TryParse(text, out var n) && n >= 0 ? n : throw new FormatException($"invalid value \"{text}\": expected an integer or a percentage");
    }

    /// <summary>The new ReplicaSet's replicas after this step's scale-up.</summary>
    public static int ScaleUpNew(int replicas, int surge, ReplicaSetCounts newSet, IReadOnlyList<ReplicaSetCounts> old)
    {
        if (old.All(o => o.Desired == 0)) return replicas;
        var total = newSet.Desired + old.Sum(o => o.Desired);
        var room = replicas + surge - total;
        if (room <= 0) return Math.Min(newSet.Desired, replicas);
        return Math.Min(replicas, newSet.Desired + room);
    }

    /// <summary>The old ReplicaSets' replicas after this step's scale-down (same order as <paramref name="old"/>, oldest first).</summary>
    public static int[] ScaleDownOld(int replicas, int unavailable, ReplicaSetCounts newSet, IReadOnlyList<ReplicaSetCounts> old)
    {
        var result = old.Select(o => o.Desired).ToArray();
        var all = newSet.Desired + result.Sum();
        var minAvailable = replicas - unavailable;
        var newUnavailable = Math.Max(0, newSet.Desired - newSet.Available);
        var budget = all - minAvailable - newUnavailable;
        if (budget <= 0) return result;
        // Unavailable old pods go first: removing them costs no availability.
        for (var i = 0; i < old.Count && budget > 0; i++)
        {
            var unhealthy = Math.Max(0, result[i] - old[i].Available);
            var cut = Math.Min(unhealthy, budget);
            result[i] -= cut;
            budget -= cut;
        }
        var available = newSet.Available + old.Select((o, i) => Math.Min(o.Available, result[i])).Sum();
        var allowed = available - minAvailable;
        for (var i = 0; i < old.Count && allowed > 0; i++)
        {
            var cut = Math.Min(result[i], allowed);
            result[i] -= cut;
            allowed -= cut;
        }
        return result;
    }
}
