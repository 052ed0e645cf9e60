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

    [Fact]
    public void EveryStringEnumValue_StaysAStringUnderYaml11()
    {
        // kubectl and helm read YAML 1.1, where a plain off, on, yes, no, y or n is a boolean: status.modelSources'
        // cache: off became false, and every status write with it was refused (422) on a cluster installed from the YAML.
        var yaml11Special = new System.Text.RegularExpressions.Regex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$");
        var plain = new List<string>();
        void Walk(YamlNode node)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    if (map.Children.TryGetValue(new YamlScalarNode("type"), out var type) && type is YamlScalarNode { Value: "string" }
                        && map.Children.TryGetValue(new YamlScalarNode("enum"), out var values) && values is YamlSequenceNode)
                        plain.AddRange(((YamlSequenceNode)values).Cast<YamlScalarNode>()
                            .Where(v => v.Style == YamlDotNet.Core.ScalarStyle.Plain && yaml11Special.IsMatch(v.Value ?? "")).Select(v => v.Value!));
                    foreach (var child in map.Children.Values) Walk(child);
                    break;
                case YamlSequenceNode seq:
                    foreach (var child in seq) Walk(child);
                    break;
            }
        }

        Walk(Load());

        Assert.Empty(plain);
        Assert.Contains("- \"off\"", CrdGenerator.GenerateYaml());
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
