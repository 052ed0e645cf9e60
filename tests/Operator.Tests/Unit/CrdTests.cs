using ModelOperator.Operator.Crd;
using YamlDotNet.RepresentationModel;

namespace ModelOperator.Operator.Tests.Unit;

public sealed class CrdTests
{
    private static string CheckedInPath => Integration.CheckedInCrd.Path;

    [Theory]
    [InlineData("crds")]
    [InlineData("charts/model-operator/files/crds")]
    public void CheckedInCrd_MatchesGeneratedFromTypes(string directory)
    {
        var path = Path.Combine(RepoPaths.Root, directory, CrdGenerator.CrdName + ".yaml");
        var generated = CrdGenerator.GenerateYaml();
        Assert.True(File.Exists(path), $"{path} is missing; run `make crds`");
        var checkedIn = File.ReadAllText(path);
        Assert.True(generated == checkedIn, $"{path} differs from the C# API types; run `make crds` and commit the result");
    }

    [Fact]
    public void Crd_CarriesNamesSubresourceColumnsAndCelRule()
    {
        var root = Load();
        var spec = Map(root, "spec");
        Assert.Equal("Namespaced", Scalar(spec, "scope"));
        Assert.Equal(["mdep"], Seq(Map(spec, "names"), "shortNames").Select(n => ((YamlScalarNode)n).Value));
        var version = (YamlMappingNode)Seq(spec, "versions").Single();
        Assert.True(Map(version, "subresources").Children.ContainsKey(new YamlScalarNode("status")));
        var columns = Seq(version, "additionalPrinterColumns").Cast<YamlMappingNode>().Select(c => Scalar(c, "name"));
        Assert.Equal(["Model", "Revision", "Ready", "Replicas", "P95", "Phase", "Age"], columns);

        var schema = Map(Map(version, "schema"), "openAPIV3Schema");
        var specSchema = Map(Map(schema, "properties"), "spec");
        Assert.Equal(["model"], Seq(specSchema, "required").Select(n => ((YamlScalarNode)n).Value));
        var replicas = Map(Map(specSchema, "properties"), "replicas");
        var rule = (YamlMappingNode)Seq(replicas, "x-kubernetes-validations").Single();
        Assert.Equal("self.min <= self.max", Scalar(rule, "rule"));
        var device = Map(Map(Map(Map(specSchema, "properties"), "runtime"), "properties"), "device");
        Assert.Equal(["auto", "cuda", "cpu"], Seq(device, "enum").Select(n => ((YamlScalarNode)n).Value));
        var window = Map(Map(Map(Map(specSchema, "properties"), "autoscaling"), "properties"), "window");
        Assert.Equal("^([0-9]+(ms|s|m|h))+$", Scalar(window, "pattern"));
    }

    [Fact]
    public void ConditionStatusEnum_IsQuotedSoYamlKeepsItAString()
    {
        // Unquoted True/False would load as booleans and the API server would reject the CRD.
        Assert.Contains("- \"True\"", CrdGenerator.GenerateYaml());
    }

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(CrdGenerator.GenerateYaml()));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode n, string key) => (YamlMappingNode)n.Children[new YamlScalarNode(key)];
    private static YamlSequenceNode Seq(YamlMappingNode n, string key) => (YamlSequenceNode)n.Children[new YamlScalarNode(key)];
    private static string? Scalar(YamlMappingNode n, string key) => ((YamlScalarNode)n.Children[new YamlScalarNode(key)]).Value;
}
