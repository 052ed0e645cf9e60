namespace ModelOperator.DevCluster;

/// <summary>The components a dev cluster runs by default, in start order.</summary>
public static class ClusterComponents
{
    public static IEnumerable<IClusterComponent> Default() =>
    [
        // Filled by the node simulator: nodes, scheduler, controllers, kubelets, endpoints, service proxy.
        new Kubelet.KubeletComponent(),
    ];
}
