using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.ScaleToZero;

namespace ModelOperator.Operator.Reconcile;

/// <summary>Naming, labels and the owner reference every child of a ModelDeployment carries.</summary>
public static class ChildObjects
{
    /// <summary>The revision Deployment's name.</summary>
    public static string DeploymentName(string mdName, string revision) => $"{mdName}-{revision}";

    /// <summary>Labels on the children (and pods) of a ModelDeployment; revision null for the Service.</summary>
    public static Dictionary<string, string> Labels(string mdName, string? revision)
    {
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = "model-runtime",
            ["app.kubernetes.io/instance"] = mdName,
            [WellKnown.ManagedByLabel] = WellKnown.FieldManager,
            [WellKnown.NameLabel] = mdName,
        };
        if (revision is not null) labels[WellKnown.RevisionLabel] = revision;
        return labels;
    }

    /// <summary>The controller owner reference that lets garbage collection remove children with their owner.</summary>
    public static V1OwnerReference OwnerReference(ModelDeployment md) => new()
    {
        ApiVersion = ModelDeployment.ApiVersionValue,
        Kind = ModelDeployment.KindName,
        Name = md.Metadata.Name,
        Uid = md.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>
    /// The replica count for the revision. Without built-in autoscaling: spec.replicas.count when the scale
    /// subresource set it, else spec.replicas.min, so a change to min applies both ways. With autoscaling: the
    /// autoscaler's last choice in status, clamped to the bounds. A model that scales to zero starts with one pod (so
    /// its revision is verified before it idles), and one at zero wakes to one pod as soon as the activator reports a
    /// request (<see cref="Demand"/>), without waiting for the autoscaler's next step.
    /// </summary>
    public static int Replicas(ModelDeployment md)
    {
        var min = md.Spec.Replicas?.Min ?? 1;
        if (md.Spec.Autoscaling is null) return md.Spec.Replicas?.Count ?? min;
        var max = Math.Max(md.Spec.Replicas?.Max ?? 1, min);
        var replicas = Math.Clamp(md.Status?.Replicas ?? Math.Max(min, 1), min, max);
        return replicas == 0 && Demand.SinceLastScale(md) is not null ? 1 : replicas;
    }

    /// <summary>The label selector of a ModelDeployment's pods, as the scale subresource reports it.</summary>
    public static string Selector(string mdName) => $"{WellKnown.NameLabel}={mdName}";
}
