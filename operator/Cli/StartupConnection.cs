using k8s;
using k8s.Autorest;

namespace ModelOperator.Operator.Cli;

/// <summary>
/// The operator's API server connection at start-up (<see cref="ClusterConnection"/> builds it), checked before anything
/// else runs, so that a wrong kubeconfig or an unreachable cluster is one line saying what to check, not a stack trace
/// or a process that retries forever.
/// </summary>
internal static class StartupConnection
{
    /// <summary>How long the start-up check waits for <c>GET /version</c>.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(15);

    public static KubernetesClientConfiguration Load(string? kubeconfigFlag)
    {
        var variable = Environment.GetEnvironmentVariable("KUBECONFIG");
        var projected = Environment.GetEnvironmentVariable(ClusterConnection.ProjectedServiceAccountVariable);
        var source = KubeconfigChoice.Choose(kubeconfigFlag, !string.IsNullOrEmpty(projected), KubernetesClientConfiguration.IsInCluster(), variable,
            File.Exists(KubernetesClientConfiguration.KubeConfigDefaultLocation));
        switch (source)
        {
            case KubeconfigSource.Flag when !File.Exists(kubeconfigFlag):
                throw new StartupFailedException($"--kubeconfig '{kubeconfigFlag}' does not exist; pass the path of a kubeconfig file (kubectl config view --raw > FILE writes one)");
            case KubeconfigSource.None:
                throw new StartupFailedException($"no cluster to connect to: pass --kubeconfig PATH, set KUBECONFIG, write {KubernetesClientConfiguration.KubeConfigDefaultLocation}, or run in a pod");
        }
        var what = source switch
        {
            KubeconfigSource.Flag => $"--kubeconfig '{kubeconfigFlag}'",
            KubeconfigSource.ProjectedServiceAccount => $"the service account projected at {ClusterConnection.ProjectedServiceAccountVariable}={projected}",
            KubeconfigSource.InCluster => "the in-cluster service account",
            KubeconfigSource.EnvironmentVariable => $"KUBECONFIG '{variable}'",
            _ => $"'{KubernetesClientConfiguration.KubeConfigDefaultLocation}'",
        };
        try
        {
            return ClusterConnection.Configure(kubeconfigFlag);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new StartupFailedException($"{what} cannot be used: {OneLine(e.Message)}", e);
        }
    }

    /// <summary>Asks the API server for its version; throws <see cref="StartupFailedException"/> saying what to check when it does not answer.</summary>
    public static async Task CheckAsync(KubernetesClientConfiguration config, CancellationToken cancellationToken)
    {
        using var client = new Kubernetes(config);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await client.Version.GetCodeAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode is 401 or 403)
        {
            throw new StartupFailedException($"the Kubernetes API server at {config.Host} refused the kubeconfig's credentials ({(int)e.Response.StatusCode}); check its user and token", e);
        }
        catch (HttpOperationException e)
        {
            throw new StartupFailedException($"the Kubernetes API server at {config.Host} answered GET /version with {(int)e.Response.StatusCode}; check that --kubeconfig points at a Kubernetes API server", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StartupFailedException($"the Kubernetes API server at {config.Host} did not answer within {CheckTimeout.TotalSeconds:F0} s; check --kubeconfig and that the cluster is running", e);
        }
        catch (HttpRequestException e)
        {
            throw new StartupFailedException($"cannot reach the Kubernetes API server at {config.Host} ({OneLine(Innermost(e).Message)}); check --kubeconfig and that the cluster is running", e);
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner && e.Message.Length == 0 ? Innermost(inner) : e;

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
}
