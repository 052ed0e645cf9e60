using ModelOperator.DevCluster.Controllers;
using ModelOperator.DevCluster.Networking;
using ModelOperator.DevCluster.Nodes;
using ModelOperator.DevCluster.Prometheus;
using ModelOperator.DevCluster.Scheduling;

namespace ModelOperator.DevCluster;

/// <summary>The components a dev cluster runs by default, in start order.</summary>
public static class ClusterComponents
{
    public static IEnumerable<IClusterComponent> Default() =>
    [
        // Control plane: nodes, scheduler, controllers, endpoints, service proxy, Prometheus targets.
        new NodeHeartbeats(),
        new Scheduler(),
        new DeploymentController(),
        new ReplicaSetController(),
        new EndpointsController(),
        new ServiceProxy(),
        new PrometheusTargets(),
        // Node side: kubelets (devcluster-kubelet branch).
    ];
}
