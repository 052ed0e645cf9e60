using System.Text.RegularExpressions;
using ModelOperator.Operator.Autoscaling;

namespace ModelOperator.Operator.Tests.Unit.Autoscaling;

/// <summary>
/// The default PromQL's pod regex against pod names as the dev cluster and Kubernetes make them: Deployment
/// <c>&lt;md&gt;-&lt;revision&gt;</c>, ReplicaSet <c>+ -&lt;pod-template-hash&gt;</c>, pod by generateName (prefix cut to 58
/// characters, 5 random characters added). Guards a past bug: the first pattern missed every pod of a ModelDeployment
/// whose name was long enough for the API server to cut the prefix.
/// </summary>
public sealed class PodNamePatternTests
{
    private const string Revision = "3f9a0c7be1";

    public static TheoryData<string, string, string, bool> Rows => new()
    {
        // description, ModelDeployment, pod name, selected
        { "dev cluster pod (7-char hash)", "deep-mlp", PodName("deep-mlp", "7d9fqx2"), true },
        { "Kubernetes pod (10-char hash)", "deep-mlp", PodName("deep-mlp", "5d4f7b8c9d"), true },
        { "a one-letter name", "a", PodName("a", "bc2"), true },
        { "another ModelDeployment whose name extends this one", "deep", PodName("deep-mlp", "7d9fqx2"), false },
        { "a ModelDeployment whose name is a prefix of this one", "deep-mlp", PodName("deep", "7d9fqx2"), false },
        { "an operator pod, not a revision", "deep-mlp", "deep-mlp-operator-7d9fqx2-bcdfg", false },
        { "the Deployment's name alone", "deep-mlp", "deep-mlp-" + Revision, false },
        { "another ModelDeployment named <md>-<hex>", "m", PodName("m-" + "0123456789", "7d9fqx2"), false },
        { "a name with a dot", "my.model", PodName("my.model", "7d9fqx2"), true },
        { "the dot is literal", "my.model", PodName("myxmodel", "7d9fqx2"), false },
        { "36 characters, a 10-char hash cut", new string('m', 36), PodName(new string('m', 36), "5d4f7b8c9d"), true },
        { "39 characters, the hash cut", new string('n', 39), PodName(new string('n', 39), "7d9fqx2"), true },
        { "47 characters, the revision's dash cut", new string('p', 47), PodName(new string('p', 47), "7d9fqx2"), true },
        { "52 characters (the longest allowed), the revision cut", new string('q', 52), PodName(new string('q', 52), "7d9fqx2"), true },
        { "a 52-character name does not select a shorter one's pods", new string('q', 52), PodName(new string('q', 40), "7d9fqx2"), false },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void DefaultQuery_SelectsExactlyTheModelDeploymentsPods(string description, string md, string pod, bool selected)
    {
        // PromQL's =~ is fully anchored RE2; this pattern uses nothing .NET and RE2 read differently.
        var matches = Regex.IsMatch(pod, $"^(?:{PrometheusQueries.PodNamePattern(md)})$");
        Assert.True(selected == matches, $"{description}: pod {pod} {(matches ? "was" : "was not")} selected for ModelDeployment {md}");
    }

    [Fact]
    public void PodName_IsAtMost63Characters()
    {
        Assert.Equal(63, PodName(new string('q', 52), "7d9fqx2").Length);
    }

    private static string PodName(string md, string templateHash)
    {
        var prefix = $"{md}-{Revision}-{templateHash}-";
        return (prefix.Length > 58 ? prefix[..58] : prefix) + "x7b2k";
    }
}
