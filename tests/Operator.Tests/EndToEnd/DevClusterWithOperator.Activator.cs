using k8s;
using k8s.Models;
using ModelOperator.DevCluster.Kubelet;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>The dev cluster with the operator and the scale-to-zero activator, as the chart runs it (a Deployment of the built model-activator).</summary>
internal sealed partial class DevClusterWithOperator
{
    public const string ActivatorName = "model-activator";

    /// <summary>
    /// The cluster, the operator routing scale-to-zero models to the activator, and one activator pod (one, so it holds
    /// the model's whole maxHeldRequests and a test reads every held request from one /metrics; two would split it).
    /// </summary>
    public static async Task<DevClusterWithOperator> StartWithActivatorAsync(ITestOutputHelper output, Func<OperatorOptions, OperatorOptions>? configure = null)
    {
        var env = await StartAsync(output, o => (configure ?? (x => x))(o with { ActivatorService = $"default/{ActivatorName}", ActivatorSyncInterval = TimeSpan.FromMilliseconds(100) }));
        try
        {
            await env.Client.AppsV1.CreateNamespacedDeploymentAsync(ActivatorDeployment(), "default");
            await env.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = ActivatorName, NamespaceProperty = "default" },
                Spec = new V1ServiceSpec
                {
                    Selector = new Dictionary<string, string> { ["app"] = ActivatorName },
                    Ports =
                    [
                        new V1ServicePort { Name = "http", Port = 8080, TargetPort = "http" },
                        new V1ServicePort { Name = "grpc", Port = 8081, TargetPort = "grpc", AppProtocol = "kubernetes.io/h2c" },
                    ],
                },
            }, "default");
            await Eventually.TrueAsync(async () => (await env.Client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: $"kubernetes.io/service-name={ActivatorName}"))
                .Items.SelectMany(s => s.Endpoints ?? []).Any(e => e.Conditions?.Ready == true), "the activator to be ready", TimeSpan.FromSeconds(60));
            return env;
        }
        catch
        {
            foreach (var pod in (await env.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"app={ActivatorName}")).Items)
            {
                output.WriteLine($"activator pod {pod.Metadata.Name}: {KubernetesJson.Serialize(pod.Status)}");
                try { output.WriteLine(await new StreamReader(await env.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, "default")).ReadToEndAsync()); }
                catch (Exception e) { output.WriteLine($"no log: {e.Message}"); }
            }
            await env.DisposeAsync();
            throw;
        }
    }

    private static V1Deployment ActivatorDeployment()
    {
        var labels = new Dictionary<string, string> { ["app"] = ActivatorName };
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = ActivatorName, NamespaceProperty = "default", Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "activator", Image = DefaultImages.ActivatorImage,
                                Args = ["--address=0.0.0.0"],
                                Ports =
                                [
                                    new V1ContainerPort { Name = "http", ContainerPort = 8080 },
                                    new V1ContainerPort { Name = "grpc", ContainerPort = 8081 },
                                    new V1ContainerPort { Name = "metrics", ContainerPort = 9090 },
                                ],
                                ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/readyz", Port = "metrics" }, PeriodSeconds = 1 },
                            },
                        ],
                    },
                },
            },
        };
    }

    /// <summary>The activator pod's /metrics text.</summary>
    public async Task<string> ActivatorMetricsAsync()
    {
        var pod = (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"app={ActivatorName}")).Items.First(IsReady);
        return await _http.GetStringAsync($"http://{pod.Status.PodIP}:9090/metrics");
    }

    /// <summary>The activator pods' logs, for a test's output.</summary>
    public async Task<string> ActivatorLogsAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var pod in (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: $"app={ActivatorName}")).Items)
        {
            using var reader = new StreamReader(await Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, "default"));
            text.AppendLine($"--- {pod.Metadata.Name}").AppendLine(await reader.ReadToEndAsync());
        }
        return text.ToString();
    }

    /// <summary>The operator's EndpointSlice routing the model's Service to the activator, if there is one now.</summary>
    public async Task<V1EndpointSlice?> ActivatorSliceAsync(string model) =>
        (await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: $"endpointslice.kubernetes.io/managed-by={ModelOperator.Operator.ScaleToZero.ActivatorSlice.ManagedBy}"))
            .Items.FirstOrDefault(s => s.Metadata.Name == ModelOperator.Operator.ScaleToZero.ActivatorSlice.Name(Model(model)));
}
