using k8s;
using k8s.Models;
using ModelOperator.Operator.Crd;

namespace ModelOperator.Operator.Tests.Integration;

/// <summary>The ModelDeployment CRD as committed under <c>crds/</c>, which is what users apply; tests install that, not the generator's output.</summary>
internal static class CheckedInCrd
{
    public static string Path => System.IO.Path.Combine(RepoPaths.Root, "crds", CrdGenerator.CrdName + ".yaml");

    /// <summary>Creates the CRD on the cluster <paramref name="client"/> talks to.</summary>
    public static async Task InstallAsync(IKubernetes client)
    {
        var yaml = await File.ReadAllTextAsync(Path);
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(yaml));
    }
}
