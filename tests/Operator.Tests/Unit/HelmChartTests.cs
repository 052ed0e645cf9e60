using ModelOperator.Operator.Cli;
using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace ModelOperator.Operator.Tests.Unit;

/// <summary>
/// The Helm chart is what a platform team installs: it must lint, render, start the operator with flags the
/// operator accepts, and grant every permission the operator uses. Runs the stock helm from <c>make kubectl</c>.
/// </summary>
public sealed class HelmChartTests
{
    private static string Chart => Path.Combine(RepoPaths.Root, "charts", "model-operator");

    [Fact]
    public void Chart_PassesHelmLint()
    {
        var (code, output) = Helm("lint", Chart, "--strict");
        Assert.True(code == 0, $"helm lint failed:\n{output}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("--set leaderElection=false --set workers=2 --set serviceMonitor.enabled=true")]
    public void RenderedDeployment_StartsOperatorWithFlagsItAccepts(string setValues)
    {
        var values = setValues.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var docs = Render(values);
        var deployment = docs.Single(d => Kind(d) == "Deployment" && !((YamlScalarNode)Map(d, "metadata").Children[new YamlScalarNode("name")]).Value!.EndsWith("-activator", StringComparison.Ordinal));
        var container = (YamlMappingNode)Seq(Map(Map(Map(deployment, "spec"), "template"), "spec"), "containers").Single();
        var args = Seq(container, "args").Select(a => ((YamlScalarNode)a).Value!).ToList();

        Assert.Equal("run", args[0]);
        var options = OperatorCommandLine.RunOptions(args, _ => null);
        Assert.StartsWith("ghcr.io/modeloperator/model-runtime:", options.RuntimeImage);
        Assert.Equal(!values.Contains("leaderElection=false"), options.LeaderElection);
        if (values.Contains("workers=2")) Assert.Equal(2, options.Workers);
        Assert.Equal(values.Contains("serviceMonitor.enabled=true"), docs.Any(d => Kind(d) == "ServiceMonitor"));
    }

    [Theory]
    [InlineData("serving.modeloperator.io", "modeldeployments", "watch")]
    [InlineData("serving.modeloperator.io", "modeldeployments", "patch")]
    [InlineData("serving.modeloperator.io", "modeldeployments/status", "update")]
    [InlineData("serving.modeloperator.io", "modeldeployments/finalizers", "update")]
    [InlineData("apps", "deployments", "patch")]
    [InlineData("apps", "deployments", "delete")]
    [InlineData("", "services", "patch")]
    [InlineData("", "events", "create")]
    [InlineData("events.k8s.io", "events", "create")]
    [InlineData("coordination.k8s.io", "leases", "update")]
    [InlineData("discovery.k8s.io", "endpointslices", "create")]
    [InlineData("discovery.k8s.io", "endpointslices", "delete")]
    public void RenderedRbac_GrantsWhatTheOperatorDoes(string group, string resource, string verb)
    {
        var rules = Render([])
            .Where(d => Kind(d) is "ClusterRole" or "Role")
            .SelectMany(d => Seq(d, "rules").Cast<YamlMappingNode>());
        Assert.Contains(rules, r =>
            Strings(r, "apiGroups").Contains(group) && Strings(r, "resources").Contains(resource) && Strings(r, "verbs").Contains(verb));
    }

    private static List<YamlMappingNode> Render(string[] values)
    {
        var (code, output) = Helm(["template", "mo", Chart, "--namespace", "model-operator", .. values]);
        Assert.True(code == 0, $"helm template failed:\n{output}");
        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static (int Code, string Output) Helm(params string[] args)
    {
        var helm = Environment.GetEnvironmentVariable("HELM") ?? Path.Combine(RepoPaths.Root, ".tools", "bin", "helm");
        if (!File.Exists(helm)) throw new FileNotFoundException($"helm not found at {helm}: run `make kubectl` (it fetches kubectl and helm into .tools/bin) or set HELM");
        var start = new ProcessStartInfo(helm) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000)) { process.Kill(); throw new TimeoutException($"helm {string.Join(' ', args)} did not finish in 60 s"); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? Kind(YamlMappingNode doc) =>
        doc.Children.TryGetValue(new YamlScalarNode("kind"), out var k) ? ((YamlScalarNode)k).Value : null;

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static YamlSequenceNode Seq(YamlMappingNode node, string key) => (YamlSequenceNode)node.Children[new YamlScalarNode(key)];

    private static List<string> Strings(YamlMappingNode node, string key) =>
        Seq(node, key).Select(n => ((YamlScalarNode)n).Value ?? "").ToList();
}
