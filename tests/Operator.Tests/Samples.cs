using k8s.Models;
using ModelOperator.Operator.Api;

namespace ModelOperator.Operator.Tests;

/// <summary>ModelDeployments as a user would write them.</summary>
internal static class Samples
{
    public static ModelDeployment Model(string name = "resnet", string ns = "default", Action<ModelDeploymentSpec>? edit = null)
    {
        var md = new ModelDeployment
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = "uid-" + name, Generation = 1 },
            Spec = new ModelDeploymentSpec
            {
                Model = new ModelSource { Uri = "oci://registry.local/models/resnet:1.0" },
                Runtime = new RuntimeSpec { Device = "cpu", Batching = new BatchingSpec { MaxBatchSize = 16, MaxDelayMs = 5 } },
                Replicas = new ReplicasSpec { Min = 2, Max = 4 },
            },
        };
        edit?.Invoke(md.Spec);
        return md;
    }
}
