using k8s.Models;
using ModelOperator.Operator.Admission;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Rollout;

/// <summary>
/// Which shadow pod each stable pod mirrors to (issue 23). The stable pods are pointed at the shadow pods' own
/// addresses rather than at a Service of the shadow revision: no second Service whose name (<c>&lt;name&gt;-shadow</c>)
/// could be another ModelDeployment's, and a copy never waits on a proxy. The pods are spread evenly in name order, so
/// the assignment is the same every reconcile (setting it again changes nothing) and moves only when pods come or go.
/// </summary>
public static class ShadowTargets
{
    /// <summary>
    /// The target of every stable pod in <paramref name="stablePods"/> (by name), over the shadow pods in
    /// <paramref name="shadowPods"/> that have an IP; empty when there is none to mirror to.
    /// </summary>
    public static IReadOnlyDictionary<string, ShadowTargetRequest> Assign(IReadOnlyList<V1Pod> stablePods, IReadOnlyList<V1Pod> shadowPods, double fraction,
        double timeoutSeconds)
    {
        var shadows = shadowPods.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.PodIP is not null)
            .OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, ShadowTargetRequest>(StringComparer.Ordinal);
        if (shadows.Count == 0) return result;
        var stable = stablePods.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        for (var i = 0; i < stable.Count; i++)
        {
            var ip = shadows[i % shadows.Count].Status.PodIP;
            var host = ip.Contains(':') ? $"[{ip}]" : ip; // an IPv6 pod address in a URL
            result[stable[i].Metadata.Name] = new ShadowTargetRequest(
                $"http://{host}:{WellKnown.RuntimePort}", $"http://{host}:{WellKnown.RuntimeGrpcPort}", fraction, timeoutSeconds);
        }
        return result;
    }
}
