using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// The kubelet's runAsNonRoot check (verifyRunAsNonRoot), made before a container is created: with
/// <c>runAsNonRoot: true</c> (container over pod), an explicit <c>runAsUser: 0</c> is refused, any other explicit
/// runAsUser passes, and otherwise the image's own user decides: root (uid 0, or no user at all) and a user name that
/// is no number (its uid cannot be known) are refused. The messages are the kubelet's (CreateContainerConfigError). Pure.
/// </summary>
public static class RunAsNonRoot
{
    /// <param name="imageUser">The image's configured user (<c>uid[:gid]</c>, a name, or empty); null where no image is known (processes).</param>
    /// <returns>Why the container may not start, or null.</returns>
    public static string? Violation(V1Pod pod, V1Container container, string? imageUser)
    {
        if ((container.SecurityContext?.RunAsNonRoot ?? pod.Spec.SecurityContext?.RunAsNonRoot) != true) return null;
        var podRef = $"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty ?? "default"}({pod.Metadata.Uid})";
        if ((container.SecurityContext?.RunAsUser ?? pod.Spec.SecurityContext?.RunAsUser) is { } uid)
            return uid == 0 ? $"container's runAsUser breaks non-root policy (pod: \"{podRef}\", container: {container.Name})" : null;
        if (imageUser is null) return null;
        var user = imageUser.Split(':')[0];
        if (user.Length == 0 || user == "0") return $"container has runAsNonRoot and image will run as root (pod: \"{podRef}\", container: {container.Name})";
        return long.TryParse(user, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) ? null
            : $"container has runAsNonRoot and image has non-numeric user ({user}), cannot verify user is non-root (pod: \"{podRef}\", container: {container.Name})";
    }
}
