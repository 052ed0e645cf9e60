using ModelOperator.KubeDouble;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Tests.Platform;

/// <summary>Every file under samples/ is accepted by the CRD's schema and CEL rules (kubectl apply against the double) and by the operator's validator.</summary>
public sealed class SamplesTests : IAsyncLifetime
{
    private KubeApiServer _server = null!;
    private string _dir = null!;
    private StockTool _kubectl = null!;

    public static TheoryData<string> Files => new(Directory.GetFiles(RepoPaths.Of("samples"), "*.yaml").Select(Path.GetFileName).Order()!);

    public async Task InitializeAsync()
    {
        _server = await KubeApiServer.StartAsync();
        _dir = Directory.CreateTempSubdirectory("samples-").FullName;
        _kubectl = StockTool.Kubectl(_server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig")));
        var crd = await _kubectl.RunAsync("apply", "-f", RepoPaths.Of("crds"));
        Assert.True(crd.ExitCode == 0, crd.Output);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Samples_CoverWhatAPlatformTeamAsksFor()
    {
        Assert.Equal(["benchmark-gate.yaml", "canary-rollout.yaml", "cpu-model.yaml", "gpu-model.yaml", "latency-autoscaling.yaml", "node-cache.yaml", "private-registry.yaml", "s3-model.yaml", "scale-to-zero.yaml", "shadow-rollout.yaml"],
            Directory.GetFiles(RepoPaths.Of("samples"), "*.yaml").Select(Path.GetFileName).Order());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Sample_IsAcceptedByTheApiServerAndTheOperator(string file)
    {
        var path = RepoPaths.Of("samples", file);

        var apply = await _kubectl.RunAsync("apply", "--dry-run=server", "-f", path);
        var md = k8s.KubernetesYaml.Deserialize<ModelDeployment>(await File.ReadAllTextAsync(path));

        Assert.True(apply.ExitCode == 0, $"{file}: {apply.Output}");
        Assert.Empty(SpecValidator.Validate(md));
    }

    // Issue 23: the CRD refuses what the validator refuses, so `kubectl apply` says it before the operator does.
    [Theory]
    [InlineData("analysis: {minAgreement: 0.9}", "rollout.analysis.minAgreement, maxOutputDiff and outputs judge a shadow's answers and need rollout.shadow")]
    [InlineData("shadow: {fraction: 0.1}", "rollout.shadow needs rollout.analysis")]
    [InlineData("shadow: {fraction: 0}\n    analysis: {}", "rollout.shadow.fraction must be above 0")]
    [InlineData("shadow: {fraction: 1.5}\n    analysis: {}", "spec.rollout.shadow.fraction")]
    [InlineData("shadow: {minRequests: 0}\n    analysis: {}", "spec.rollout.shadow.minRequests")]
    [InlineData("shadow: {}\n    analysis: {minAgreement: 2}", "spec.rollout.analysis.minAgreement")]
    public async Task ShadowSpec_TheApiServerRefuses(string rollout, string expected)
    {
        var path = Path.Combine(_dir, "shadow.yaml");
        await File.WriteAllTextAsync(path, $"""
            apiVersion: serving.modeloperator.io/v1alpha1
            kind: ModelDeployment
            metadata: {"{"}name: shadow-bad, namespace: default{"}"}
            spec:
              model: {"{"}uri: "oci://registry.example.com/models/m:1"{"}"}
              rollout:
                {rollout}
            """);

        var apply = await _kubectl.RunAsync("apply", "--dry-run=server", "-f", path);

        Assert.True(apply.ExitCode != 0, $"accepted: {apply.Output}");
        Assert.Contains(expected, apply.Output);
    }
}
