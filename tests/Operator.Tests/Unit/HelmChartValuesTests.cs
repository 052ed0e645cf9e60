using ModelOperator.Operator.Cli;
using ModelOperator.Operator.Reconcile;
using YamlDotNet.RepresentationModel;
using ModelOperator.Operator.Tests.Platform;

namespace ModelOperator.Operator.Tests.Unit;

/// <summary>The chart's values a platform team sets, rendered by the stock helm: each changes what it says, and only that.</summary>
public sealed class HelmChartValuesTests
{
    private static string Chart => Path.Combine(RepoPaths.Root, "charts", "model-operator");

    [Fact]
    public async Task WatchNamespaces_GrantsRolesThereOnly_AndPassesTheFlagTheOperatorParses()
    {
        var docs = await RenderAsync("--set", "watchNamespaces={team-a,team-b}");

        // The one cluster-wide grant left is reading nodes (cluster-scoped), which the autoscaler's GPU limit needs.
        var clusterRoles = docs.Where(d => Kind(d) == "ClusterRole").ToList();
        Assert.All(clusterRoles, r => Assert.All(Seq(r, "rules").Cast<YamlMappingNode>(), rule =>
        {
            Assert.Equal(["nodes"], Strings(rule, "resources"));
            Assert.Equal(["get", "list"], Strings(rule, "verbs"));
        }));
        var roles = docs.Where(d => Kind(d) == "Role" && !Name(d).EndsWith("-leader-election") && !Name(d).Contains("-activator")).ToList();
        Assert.Equal(["team-a", "team-b"], roles.Select(Namespace).Order());
        Assert.All(roles, r => Assert.Contains(Seq(r, "rules").Cast<YamlMappingNode>(),
            rule => Strings(rule, "resources").Contains("modeldeployments") && Strings(rule, "verbs").Contains("watch")));
        Assert.Equal(["team-a", "team-b"], docs.Where(d => Kind(d) == "RoleBinding" && !Name(d).EndsWith("-leader-election") && !Name(d).Contains("-activator")).Select(Namespace).Order());
        // The activator reads the same namespaces only, through Roles there too.
        Assert.Equal(["team-a", "team-b"], docs.Where(d => Kind(d) == "Role" && Name(d).EndsWith("-activator")).Select(Namespace).Order());
        var options = OperatorCommandLine.RunOptions(Args(docs), _ => null);
        Assert.Equal(["team-a", "team-b"], options.WatchNamespaces);
    }

    [Fact]
    public async Task ByDefault_TheOperatorWatchesTheClusterThroughAClusterRole()
    {
        var docs = await RenderAsync();

        Assert.Contains(docs, d => Kind(d) == "ClusterRole");
        Assert.DoesNotContain(Args(docs), a => a.StartsWith("--watch-namespaces"));
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(1, false)]
    public async Task PodDisruptionBudget_GuardsTheStandbyOnlyWhenThereIsOne(int replicas, bool expected)
    {
        var docs = await RenderAsync("--set", $"replicaCount={replicas}");

        Assert.Equal(expected, docs.Any(d => Kind(d) == "PodDisruptionBudget" && !Name(d).EndsWith("-activator", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Activator_IsItsOwnDeploymentOfTwo_WithAPdb_AndTheOperatorRoutesToItsService()
    {
        var docs = await RenderAsync();
        var activator = docs.Single(d => Kind(d) == "Deployment" && Name(d).EndsWith("-activator", StringComparison.Ordinal));
        var operatorPod = Map(Map(Map(docs.Single(d => Kind(d) == "Deployment" && !Name(d).EndsWith("-activator", StringComparison.Ordinal)), "spec"), "template"), "spec");
        var args = Strings((YamlMappingNode)Seq(operatorPod, "containers")[0], "args");
        var service = docs.Single(d => Kind(d) == "Service" && Name(d) == Name(activator));
        var operatorSelector = Map(Map(docs.Single(d => Kind(d) == "Deployment" && !Name(d).EndsWith("-activator", StringComparison.Ordinal)), "spec"), "selector");
        var activatorLabels = Map(Map(Map(activator, "spec"), "template"), "metadata");

        Assert.Equal("2", Scalar(Map(activator, "spec"), "replicas"));
        Assert.StartsWith("ghcr.io/modeloperator/model-activator:", Scalar((YamlMappingNode)Seq(Map(Map(Map(activator, "spec"), "template"), "spec"), "containers")[0], "image"));
        Assert.Contains(docs, d => Kind(d) == "PodDisruptionBudget" && Name(d) == Name(activator));
        Assert.Contains($"--activator-service={Namespace(service)}/{Name(service)}", args);
        Assert.Equal(["http", "grpc", "metrics"], Seq(Map(service, "spec"), "ports").Cast<YamlMappingNode>().Select(p => Scalar(p, "name")));
        // The operator's selector must not select activator pods (its PDB and metrics Service would count them).
        Assert.NotEqual(Scalar(Map(operatorSelector, "matchLabels"), "app.kubernetes.io/name"), Scalar(Map(activatorLabels, "labels"), "app.kubernetes.io/name"));

        var off = await RenderAsync("--set", "activator.enabled=false");
        Assert.DoesNotContain(off, d => Name(d).EndsWith("-activator", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OptionalObjects_AppearWhenEnabled()
    {
        var off = await RenderAsync();
        var on = await RenderAsync("--set", "podMonitor.enabled=true", "--set", "networkPolicy.enabled=true", "--set", "serviceMonitor.enabled=true");

        Assert.DoesNotContain(off, d => Kind(d) is "PodMonitor" or "NetworkPolicy" or "ServiceMonitor");
        var podMonitor = on.Single(d => Kind(d) == "PodMonitor");
        Assert.Equal("model-operator", Scalar(Map(Map(Map(podMonitor, "spec"), "selector"), "matchLabels"), "app.kubernetes.io/managed-by"));
        Assert.Equal("http", Scalar((YamlMappingNode)Seq(Map(podMonitor, "spec"), "podMetricsEndpoints")[0], "port"));
        Assert.Contains(on, d => Kind(d) == "NetworkPolicy");
    }

    [Fact]
    public async Task PodSettings_ReachTheOperatorPod()
    {
        var docs = await RenderAsync("--set", "priorityClassName=system-cluster-critical", "--set", "extraArgs={--workers=4}",
            "--set", "extraEnv[0].name=DOTNET_gcServer", "--set-string", "extraEnv[0].value=0", "--set", "imagePullSecrets[0].name=regcred",
            "--set", "topologySpreadConstraints[0].maxSkew=1", "--set", "topologySpreadConstraints[0].topologyKey=kubernetes.io/hostname",
            "--set", "topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway", "--set", "resources.limits.memory=512Mi");
        var pod = Map(Map(Map(docs.Single(d => Kind(d) == "Deployment" && !Name(d).EndsWith("-activator", StringComparison.Ordinal)), "spec"), "template"), "spec");
        var container = (YamlMappingNode)Seq(pod, "containers")[0];

        Assert.Equal("system-cluster-critical", Scalar(pod, "priorityClassName"));
        Assert.Equal("regcred", Scalar((YamlMappingNode)Seq(pod, "imagePullSecrets")[0], "name"));
        Assert.Equal("kubernetes.io/hostname", Scalar((YamlMappingNode)Seq(pod, "topologySpreadConstraints")[0], "topologyKey"));
        Assert.Contains("--workers=4", Args(docs));
        Assert.Contains(Seq(container, "env").Cast<YamlMappingNode>(), e => Scalar(e, "name") == "DOTNET_gcServer");
        Assert.Equal("512Mi", Scalar(Map(Map(container, "resources"), "limits"), "memory"));
        // Every flag, extra ones included, is one the operator knows; an extra flag overrides the chart's own (the last wins).
        Assert.Equal(4, OperatorCommandLine.RunOptions(Args(docs), _ => null).Workers);
    }

    [Fact]
    public async Task ModelCacheValues_ReachTheOperatorAsItsNodeCacheSettings()
    {
        var defaults = OperatorCommandLine.RunOptions(Args(await RenderAsync()), _ => null).NodeCache;
        var set = OperatorCommandLine.RunOptions(Args(await RenderAsync("--set", "modelCache.nodeByDefault=true",
            "--set", "modelCache.hostPath=/mnt/nvme/models", "--set", "modelCache.maxBytes=107374182400")), _ => null).NodeCache;

        Assert.Equal(new NodeCacheSettings("/var/cache/model-operator/models", ByDefault: false, MaxBytes: null), defaults);
        Assert.Equal(new NodeCacheSettings("/mnt/nvme/models", ByDefault: true, MaxBytes: 107374182400), set);
    }

    [Fact]
    public async Task OperatorPod_RunsAsTheImagesNonRootUid()
    {
        var docs = await RenderAsync();
        var security = Map(Map(Map(Map(docs.Single(d => Kind(d) == "Deployment" && !Name(d).EndsWith("-activator", StringComparison.Ordinal)), "spec"), "template"), "spec"), "securityContext");

        Assert.Equal("65532", Scalar(security, "runAsUser"));
        Assert.Equal("true", Scalar(security, "runAsNonRoot"));
        foreach (var dockerfile in new[] { "operator/Dockerfile", "activator/Dockerfile", "runtime/Dockerfile", "runtime/Dockerfile.cpu" })
        {
            var text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, dockerfile));
            Assert.True(text.Contains("USER 65532:65532"), $"{dockerfile} must run as USER 65532:65532, the uid the chart and runtime pods use");
        }
    }

    [Fact]
    public async Task Crd_IsATemplateHelmUpgrades_AndKeepsOnUninstall()
    {
        var docs = await RenderAsync();
        var crd = docs.Single(d => Kind(d) == "CustomResourceDefinition");

        Assert.Equal("keep", Scalar(Map(Map(crd, "metadata"), "annotations"), "helm.sh/resource-policy"));
        Assert.False(Directory.Exists(Path.Combine(Chart, "crds")), "a crds/ directory is never upgraded by helm; the CRD lives in files/crds and templates/crds.yaml");
        Assert.DoesNotContain(await RenderAsync("--set", "crds.install=false"), d => Kind(d) == "CustomResourceDefinition");
    }

    [Theory]
    [InlineData("replicaCount=0", "replicaCount")]
    [InlineData("watchNamespaces={Team_A}", "watchNamespaces")]
    [InlineData("workrs=2", "workrs")]
    [InlineData("extraArgs={workers}", "extraArgs")]
    [InlineData("modelCache.hostPath=models", "hostPath")]
    [InlineData("modelCache.hostPath=/var/../etc", "hostPath")]
    [InlineData("modelCache.maxBytes=-1", "maxBytes")]
    public async Task ValuesSchema_RefusesBadValues_NamingThem(string setValue, string named)
    {
        var lint = await StockTool.Helm().RunAsync("lint", Chart, "--strict", "--set", setValue);

        Assert.NotEqual(0, lint.ExitCode);
        Assert.Contains(named, lint.Output);
    }

    private static async Task<List<YamlMappingNode>> RenderAsync(params string[] values)
    {
        var result = await StockTool.Helm().RunAsync(["template", "mo", Chart, "--namespace", "model-operator", .. values]);
        Assert.True(result.ExitCode == 0, $"helm template failed:\n{result.Output}");
        var stream = new YamlStream();
        stream.Load(new StringReader(result.Stdout));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static List<string> Args(List<YamlMappingNode> docs)
    {
        var container = (YamlMappingNode)Seq(Map(Map(Map(docs.Single(d => Kind(d) == "Deployment" && !Name(d).EndsWith("-activator", StringComparison.Ordinal)), "spec"), "template"), "spec"), "containers")[0];
        return Strings(container, "args");
    }

    private static string? Kind(YamlMappingNode doc) => doc.Children.TryGetValue(new YamlScalarNode("kind"), out var k) ? ((YamlScalarNode)k).Value : null;
    private static string Name(YamlMappingNode doc) => Scalar(Map(doc, "metadata"), "name") ?? "";
    private static string Namespace(YamlMappingNode doc) => Scalar(Map(doc, "metadata"), "namespace") ?? "";
    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];
    private static YamlSequenceNode Seq(YamlMappingNode node, string key) => (YamlSequenceNode)node.Children[new YamlScalarNode(key)];
    private static string? Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value;
    private static List<string> Strings(YamlMappingNode node, string key) => Seq(node, key).Select(n => ((YamlScalarNode)n).Value ?? "").ToList();
}
