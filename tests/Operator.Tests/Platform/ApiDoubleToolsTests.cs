using ModelOperator.KubeDouble;

namespace ModelOperator.Operator.Tests.Platform;

/// <summary>
/// A platform engineer's first minutes, with the stock kubectl and helm against the API double: the API explains
/// itself, CEL refuses a bad spec before it is stored, and the chart installs, upgrades, reports and uninstalls.
/// </summary>
public sealed class ApiDoubleToolsTests : IAsyncLifetime
{
    private KubeApiServer _server = null!;
    private string _dir = null!;
    private StockTool _kubectl = null!;
    private StockTool _helm = null!;

    public async Task InitializeAsync()
    {
        _server = await KubeApiServer.StartAsync();
        _dir = Directory.CreateTempSubdirectory("platform-tools-").FullName;
        var kubeconfig = _server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
        _kubectl = StockTool.Kubectl(kubeconfig);
        _helm = StockTool.Helm(kubeconfig);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private async Task ApplyCrdAsync()
    {
        var apply = await _kubectl.RunAsync("apply", "-f", Path.Combine(RepoPaths.Root, "crds"));
        Assert.True(apply.ExitCode == 0, apply.Output);
    }

    [Fact]
    public async Task KubectlExplain_ReadsTheFieldDocumentation()
    {
        await ApplyCrdAsync();

        var explain = await _kubectl.RunAsync("explain", "modeldeployment.spec.rollout.analysis");
        var model = await _kubectl.RunAsync("explain", "mdep.spec.model.pullSecret");

        Assert.True(explain.ExitCode == 0, explain.Output);
        Assert.Contains("Checks run each interval while a canary or shadow is live.", explain.Stdout);
        Assert.Contains("failureLimit", explain.Stdout);
        Assert.Contains("Failed checks that roll back.", explain.Stdout);
        Assert.True(model.ExitCode == 0, model.Output);
        Assert.Contains("kubernetes.io/dockerconfigjson", model.Stdout);
    }

    [Fact]
    public async Task KubectlApply_RefusesCrossFieldMistakes_WithMessagesThatNameTheRule()
    {
        await ApplyCrdAsync();
        const string manifest = """
            apiVersion: serving.modeloperator.io/v1alpha1
            kind: ModelDeployment
            metadata: {name: a-name-long-enough-to-leave-no-room-for-the-revision-suffix, namespace: default}
            spec:
              model: {uri: "gs://bucket/model.onnx", plainHttp: true}
              runtime: {device: cuda}
              rollout: {steps: [{weight: 50}, {weight: 20}]}
            """;

        var apply = await _kubectl.RunWithInputAsync(manifest, "apply", "-f", "-");
        var get = await _kubectl.RunAsync("get", "modeldeployments", "-A", "-o", "name");

        Assert.NotEqual(0, apply.ExitCode);
        Assert.Contains("metadata.name must be at most 52 characters", apply.Stderr);
        Assert.Contains("uri must be oci://registry/repo:tag (or @sha256:digest), https://host/path, s3://bucket/key, pvc://claim/path or file:///path", apply.Stderr);
        Assert.DoesNotContain("[^", apply.Stderr); // the message, not the regular expression
        Assert.Contains("plainHttp applies only to oci:// models", apply.Stderr);
        Assert.Contains("runtime.device cuda needs gpu.count of at least 1", apply.Stderr);
        Assert.Contains("weights must increase", apply.Stderr);
        Assert.Equal("", get.Stdout.Trim());
    }

    [Fact]
    public async Task KubectlApply_RefusesNodeCachePrefetchWithoutTheNodeCache_AndANodeCacheForAModelThatIsNotOci()
    {
        await ApplyCrdAsync();
        const string manifest = """
            apiVersion: serving.modeloperator.io/v1alpha1
            kind: ModelDeployment
            metadata: {name: prefetched, namespace: default}
            spec:
              model: {uri: "oci://registry.example.com/models/m:1", cache: {node: false, prefetch: true}}
            ---
            apiVersion: serving.modeloperator.io/v1alpha1
            kind: ModelDeployment
            metadata: {name: cached-https, namespace: default}
            spec:
              model: {uri: "https://models.example.com/m.onnx", cache: {node: true}}
            """;

        var apply = await _kubectl.RunWithInputAsync(manifest, "apply", "-f", "-");
        var get = await _kubectl.RunAsync("get", "modeldeployments", "-A", "-o", "name");

        Assert.NotEqual(0, apply.ExitCode);
        Assert.Contains("cache.prefetch fills the node cache: it needs node: true", apply.Stderr);
        Assert.Contains("cache.node applies only to oci:// models", apply.Stderr);
        Assert.Equal("", get.Stdout.Trim());
    }

    [Fact]
    public async Task Helm_InstallsUpgradesReportsAndUninstallsTheChart()
    {
        var chart = Path.Combine(RepoPaths.Root, "charts", "model-operator");
        Assert.Equal(0, (await _kubectl.RunAsync("create", "namespace", "model-operator")).ExitCode);

        var install = await _helm.RunAsync("install", "mo", chart, "--namespace", "model-operator");
        var deployed = await _kubectl.RunAsync("get", "deployments,serviceaccounts,crd", "-n", "model-operator", "-o", "name");
        var upgrade = await _helm.RunAsync("upgrade", "mo", chart, "--namespace", "model-operator", "--set", "workers=2");
        var status = await _helm.RunAsync("status", "mo", "--namespace", "model-operator");
        var args = await _kubectl.RunAsync("get", "deployment", "-n", "model-operator", "-o", "jsonpath={.items[0].spec.template.spec.containers[0].args}");
        var uninstall = await _helm.RunAsync("uninstall", "mo", "--namespace", "model-operator");
        var left = await _kubectl.RunAsync("get", "deployments,secrets", "-n", "model-operator", "-o", "name");

        Assert.True(install.ExitCode == 0, install.Output);
        Assert.Contains("deployment.apps/", deployed.Stdout);
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/modeldeployments.serving.modeloperator.io", deployed.Stdout);
        Assert.True(upgrade.ExitCode == 0, upgrade.Output);
        Assert.Contains("STATUS: deployed", status.Stdout);
        Assert.Contains("REVISION: 2", status.Stdout);
        Assert.Contains("--workers=2", args.Stdout.Replace("\"--workers\",\"2\"", "--workers=2"));
        Assert.True(uninstall.ExitCode == 0, uninstall.Output);
        Assert.Equal("", left.Stdout.Trim());
    }
}
