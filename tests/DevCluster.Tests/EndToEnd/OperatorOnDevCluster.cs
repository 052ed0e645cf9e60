using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.DevCluster.Kubelet;
using ModelOperator.DevCluster.Tests.ControlPlane;
using ModelOperator.Operator;

namespace ModelOperator.DevCluster.Tests.EndToEnd;

/// <summary>
/// The whole dev cluster (nodes, scheduler, controllers, kubelet running model-runtime pods as podman containers of the
/// image built from runtime/Dockerfile.cpu, Service proxy) with the CRDs of crds/ and the operator running in this
/// process, as `make dev-cluster` runs them; driven with the stock kubectl. Where podman cannot run, the pods are
/// processes of the built model-runtime (on the console; under CI=true a failure). DEVCLUSTER_TEST_LOG=1 prints the cluster's and the operator's logs.
/// </summary>
internal sealed class OperatorOnDevCluster : IAsyncDisposable
{
    private OperatorOnDevCluster(DevClusterHost host, OperatorHost op)
    {
        Host = host;
        Operator = op;
    }

    public DevClusterHost Host { get; }
    public OperatorHost Operator { get; }
    public Kubernetes Client => Host.Client;

    public static async Task<OperatorOnDevCluster> StartAsync()
    {
        var loggers = Environment.GetEnvironmentVariable("DEVCLUSTER_TEST_LOG") == "1"
            ? LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; }))
            : NullLoggerFactory.Instance;
        var registry = await BuiltImages.RegistryForPodsAsync(Console.WriteLine);
        var containers = registry is null ? null
            : ContainerRuntimeOptions.PullingProjectImagesFrom(registry, ContainerEngine.ContainersConf);
        var host = await DevClusterHost.StartAsync(new DevClusterOptions
        {
            // Short back-off and drain so that a test's restarts and deletions stay quick.
            Kubelet = new KubeletOptions { BackOffBase = TimeSpan.FromMilliseconds(500), BackOffMax = TimeSpan.FromSeconds(5), TerminationDrainDelay = TimeSpan.FromSeconds(1), Containers = containers },
        }, loggers: loggers);
        try
        {
            await ClusterSetup.ApplyCrdsAsync(host.Client, RepoPaths.Of("crds"), CancellationToken.None);
            var op = await OperatorHost.StartAsync(KubernetesClientConfiguration.BuildConfigFromConfigFile(host.KubeconfigPath), new OperatorOptions
            {
                LeaderElection = false,
                HttpAddress = "http://127.0.0.1:0",
                RuntimeImage = DefaultImages.RuntimeImage,
                BackoffCap = TimeSpan.FromSeconds(2),
                Workers = 2,
            }, loggers);
            return new OperatorOnDevCluster(host, op);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>A ModelDeployment of a sample model, as a user writes it.</summary>
    public static string ModelDeploymentYaml(string name, string sampleModel, int gpus, int replicas) => $"""
        apiVersion: serving.modeloperator.io/v1alpha1
        kind: ModelDeployment
        metadata:
          name: {name}
          namespace: default
        spec:
          model:
            uri: file://{RepoPaths.Of(".artifacts", "sample-models", sampleModel)}
          gpu:
            count: {gpus}
          replicas:
            min: {replicas}
            max: {replicas}
          benchmark:
            batchSizes: [1]
            iterations: 5
        """;

    /// <summary>Runs the stock kubectl against this cluster; fails with its output when it fails.</summary>
    public async Task<string> KubectlAsync(params string[] args)
    {
        var (code, stdout, stderr) = await Kubectl.RunAsync(Host.KubeconfigPath, args);
        Assert.True(code == 0, $"kubectl {string.Join(' ', args)} exited {code}: {stderr}{stdout}");
        return stdout;
    }

    public async Task ApplyAsync(string yaml)
    {
        var file = Path.Combine(Host.Context.StateDirectory, $"apply-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        await KubectlAsync("apply", "-f", file);
    }

    /// <summary>The ModelDeployment as kubectl shows it in JSON.</summary>
    public async Task<JsonNode> ModelDeploymentAsync(string name) => JsonNode.Parse(await KubectlAsync("get", "mdep", name, "-o", "json"))!;

    /// <summary>Rows of `kubectl get pods -o wide -l …` as column name → value.</summary>
    public async Task<List<Dictionary<string, string>>> PodRowsAsync(string selector)
    {
        var lines = (await KubectlAsync("get", "pods", "-o", "wide", "-l", selector)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) return [];
        var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(cells => header.Zip(cells).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    /// <summary>An OIP v2 inference request for the mlp sample model (input features FP32 [1,16]).</summary>
    public static StringContent MlpInferRequest() => new(
        """{"inputs":[{"name":"features","shape":[1,16],"datatype":"FP32","data":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1,1.2,1.3,1.4,1.5,1.6]}]}""",
        System.Text.Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        await Operator.DisposeAsync();
        await Host.DisposeAsync();
    }
}
