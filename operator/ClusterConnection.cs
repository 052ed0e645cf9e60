using k8s;
using k8s.Authentication;

namespace ModelOperator.Operator;

/// <summary>
/// How the operator reaches the API server: the kubeconfig named by <c>--kubeconfig</c>; in a pod, the service
/// account's token and CA with <c>KUBERNETES_SERVICE_HOST</c>/<c>PORT</c> (in-cluster config); otherwise the
/// default kubeconfig. A dev-cluster pod is a process without a mount namespace, so its kubelet projects the service
/// account folder elsewhere and names it in <see cref="ProjectedServiceAccountVariable"/>; everything else is in-cluster
/// config as KubernetesClient builds it (https, token file re-read as it rotates, the CA pinned).
/// </summary>
public static class ClusterConnection
{
    /// <summary>The variable the dev cluster's kubelet sets to the folder standing for /var/run/secrets/kubernetes.io/serviceaccount.</summary>
    public const string ProjectedServiceAccountVariable = "DEVCLUSTER_SERVICE_ACCOUNT_DIR";

    /// <summary>Chooses the configuration; <paramref name="environment"/> reads a variable (the process's in production).</summary>
    public static KubernetesClientConfiguration Configure(string? kubeconfig, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (kubeconfig is not null) return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        if (environment(ProjectedServiceAccountVariable) is { Length: > 0 } folder) return InCluster(folder, environment);
        if (KubernetesClientConfiguration.IsInCluster()) return KubernetesClientConfiguration.InClusterConfig();
        return KubernetesClientConfiguration.BuildDefaultConfig();
    }

    /// <summary>In-cluster config from a service account folder (token, ca.crt, namespace) at a given path.</summary>
    public static KubernetesClientConfiguration InCluster(string folder, Func<string, string?> environment)
    {
        var host = environment("KUBERNETES_SERVICE_HOST");
        var port = environment("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
            throw new ArgumentException($"{ProjectedServiceAccountVariable} is set but KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not; the pod cannot reach the API server");
        if (!int.TryParse(port, System.Globalization.CultureInfo.InvariantCulture, out var portNumber) || portNumber is < 1 or > 65535)
            throw new ArgumentException($"KUBERNETES_SERVICE_PORT must be a port number, got '{port}'");
        var token = Path.Combine(folder, "token");
        var ca = Path.Combine(folder, "ca.crt");
        foreach (var file in new[] { token, ca })
            if (!File.Exists(file)) throw new ArgumentException($"{ProjectedServiceAccountVariable}={folder} holds no {Path.GetFileName(file)}; the service account token was not projected");
        var authorities = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        authorities.ImportFromPemFile(ca);
        var config = new KubernetesClientConfiguration
        {
            Host = new UriBuilder("https", host, portNumber).ToString(),
            TokenProvider = new TokenFileAuth(token),
            SslCaCerts = authorities,
        };
        var ns = Path.Combine(folder, "namespace");
        if (File.Exists(ns)) config.Namespace = File.ReadAllText(ns).Trim();
        return config;
    }
}
