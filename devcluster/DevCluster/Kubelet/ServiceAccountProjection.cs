using System.Text;
using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The service account volume a real cluster mounts into every container (<c>kube-api-access-*</c>: token, ca.crt,
/// namespace at /var/run/secrets/kubernetes.io/serviceaccount), unless <c>automountServiceAccountToken: false</c>. With
/// no mount namespace the kubelet writes it into the pod's folder and names that folder in
/// <see cref="Variable"/>. The token names the pod and its service account; the API double accepts any token.
/// </summary>
public static class ServiceAccountProjection
{
    /// <summary>Where containers expect the service account.</summary>
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The variable naming the local folder (the operator's ClusterConnection reads it).</summary>
    public const string Variable = "DEVCLUSTER_SERVICE_ACCOUNT_DIR";

    /// <summary>Whether the pod gets the volume (the pod's <c>automountServiceAccountToken</c>; the ServiceAccount's own field is not consulted).</summary>
    public static bool Applies(V1Pod pod) => pod.Spec.AutomountServiceAccountToken != false;

    /// <summary>Writes token, ca.crt and namespace under the pod's folder and returns that folder.</summary>
    public static string Write(V1Pod pod, string podDirectory, InClusterApi api)
    {
        var folder = Path.Combine(podDirectory, "volumes", "kube-api-access");
        Directory.CreateDirectory(folder);
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var account = pod.Spec.ServiceAccountName is { Length: > 0 } name ? name : "default";
        var subject = $"system:serviceaccount:{ns}:{account} pod={pod.Metadata.Name} uid={pod.Metadata.Uid}";
        File.WriteAllText(Path.Combine(folder, "token"), "devcluster." + Convert.ToBase64String(Encoding.UTF8.GetBytes(subject)).TrimEnd('='));
        File.WriteAllText(Path.Combine(folder, "ca.crt"), api.CertificateAuthorityPem);
        File.WriteAllText(Path.Combine(folder, "namespace"), ns);
        return folder;
    }
}
