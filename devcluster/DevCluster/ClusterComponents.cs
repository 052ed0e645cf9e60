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
        .. ControlPlane(),
        // Node side: the kubelet runs every node's pods as local processes.
        new Kubelet.KubeletComponent(),
    ];

    /// <summary>
    /// The control plane alone: nodes and their heartbeats, the scheduler, the Deployment, ReplicaSet and endpoints
    /// controllers, the service proxy and the Prometheus target list. Tests that stand in for the kubelet use this.
    /// </summary>
    public static IEnumerable<IClusterComponent> ControlPlane() =>
    [
        new NodeHeartbeats(),
        new Scheduler(),
        new DeploymentController(),
        new ReplicaSetController(),
        new EndpointsController(),
        new ServiceProxy(),
        new PrometheusTargets(),
    ];
}
