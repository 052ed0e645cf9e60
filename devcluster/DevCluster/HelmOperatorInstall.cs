using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.DevCluster;

/// <summary>
/// Installs the operator the way a user does: <c>helm install</c> of charts/model-operator (CRD, RBAC, ServiceAccount,
/// Deployment) into the dev cluster, whose kubelet then runs the chart's operator pods from the built operator; then
/// waits for the pod that holds the leader lease to be Ready.
/// </summary>
public static class HelmOperatorInstall
{
    /// <summary>The release name, which is also the chart's fullname and the namespace it goes into.</summary>
    public const string Release = "model-operator";

    /// <summary>The namespace of the release, the operator pods and their leader Lease.</summary>
    public const string Namespace = "model-operator";

    /// <summary>The operator's leader election Lease (OperatorOptions.LeaseName).</summary>
    public const string LeaseName = "model-operator";

    /// <summary>How long <c>helm install</c> may take (it does not wait for the pods; this bounds a stuck API call).</summary>
    public static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs <c>helm install</c>; its output goes to <paramref name="logFile"/>. Helm's cache and config stay in the
    /// state directory, away from the user's. Fails with helm's output when helm fails.
    /// </summary>
    public static async Task InstallAsync(string helm, string chart, string kubeconfig, string stateDirectory, string logFile, CancellationToken ct,
        params string[] extraArgs)
    {
        var start = new ProcessStartInfo(helm) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["install", Release, chart, "--namespace", Namespace, "--create-namespace", "--kubeconfig", kubeconfig, .. extraArgs])
            start.ArgumentList.Add(arg);
        var home = Path.Combine(stateDirectory, "helm");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(home, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(home, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(home, "data");
        Process process;
        try { process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {helm}"); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"could not run helm at '{helm}' ({e.Message}); `make kubectl` fetches it into .tools/bin, or pass --helm PATH", e);
        }
        using (process)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(InstallTimeout);
            var stdout = process.StandardOutput.ReadToEndAsync(limit.Token);
            var stderr = process.StandardError.ReadToEndAsync(limit.Token);
            try { await process.WaitForExitAsync(limit.Token); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (ct.IsCancellationRequested) throw;
                throw new TimeoutException($"helm install of {chart} did not finish within {InstallTimeout.TotalSeconds:0} s");
            }
            var output = await stdout + await stderr;
            await File.WriteAllTextAsync(logFile, $"$ helm {string.Join(' ', start.ArgumentList)}\n{output}", ct);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"helm install of {chart} exited {process.ExitCode}: {output.Trim()}");
        }
    }

    /// <summary>Waits until some operator pod holds the leader lease and is Ready, and returns it.</summary>
    public static async Task<V1Pod> WaitForLeadingPodAsync(IKubernetes client, TimeSpan within, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(within);
        var seen = "no Lease yet";
        try
        {
            while (true)
            {
                try
                {
                    var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, Namespace, cancellationToken: deadline.Token);
                    if (lease.Spec?.HolderIdentity is { Length: > 0 } holder)
                    {
                        seen = $"lease held by {holder}";
                        var pod = await client.CoreV1.ReadNamespacedPodAsync(holder, Namespace, cancellationToken: deadline.Token);
                        if (pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true) return pod;
                        seen = $"lease held by pod {holder}, which is not Ready ({pod.Status?.Phase})";
                    }
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
                await Task.Delay(200, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no operator pod in namespace {Namespace} held the leader lease {LeaseName} and was Ready within {within.TotalSeconds:0} s ({seen}); " +
                $"see `kubectl -n {Namespace} get pods,events` and `kubectl -n {Namespace} logs deploy/{Release}`");
        }
    }
}
