using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.DevCluster;

/// <summary>The steps <c>dev-cluster</c> takes before it calls itself ready: CRDs applied, nodes Ready, the operator leading.</summary>
internal static class ClusterSetup
{
    /// <summary>Creates (or replaces) every CustomResourceDefinition in the YAML files of a directory, as <c>kubectl apply -f</c> would.</summary>
    public static async Task ApplyCrdsAsync(IKubernetes client, string directory, CancellationToken ct)
    {
        foreach (var file in Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file, ct)).OfType<V1CustomResourceDefinition>())
            {
                try { await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: ct); }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    var live = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Name(), cancellationToken: ct);
                    crd.Metadata.ResourceVersion = live.ResourceVersion();
                    await client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(crd, crd.Name(), cancellationToken: ct);
                }
            }
        }
    }

    public static async Task WaitForNodesAsync(IKubernetes client, int count, CancellationToken ct)
    {
        while (true)
        {
            var nodes = await client.CoreV1.ListNodeAsync(cancellationToken: ct);
            if (nodes.Items.Count(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true) >= count) return;
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Waits until some instance holds the named Lease in the default namespace (the operator's leader election).</summary>
    public static async Task WaitForLeaderAsync(IKubernetes client, string lease, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            while (true)
            {
                try
                {
                    var live = await client.CoordinationV1.ReadNamespacedLeaseAsync(lease, "default", cancellationToken: deadline.Token);
                    if (!string.IsNullOrEmpty(live.Spec?.HolderIdentity)) return;
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
                await Task.Delay(200, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the operator did not take the leader lease default/{lease} within 2 minutes; see its log");
        }
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
