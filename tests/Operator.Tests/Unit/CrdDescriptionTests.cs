using ModelOperator.Operator.Api;
using ModelOperator.Operator.Crd;
using YamlDotNet.RepresentationModel;

namespace ModelOperator.Operator.Tests.Unit;

/// <summary>The CRD documents itself: every field carries the description written in the API types' XML docs.</summary>
public sealed class CrdDescriptionTests
{
    [Fact]
    public void EveryField_HasADescription()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(CrdGenerator.GenerateYaml()));
        var version = (YamlMappingNode)((YamlSequenceNode)Child((YamlMappingNode)Child((YamlMappingNode)stream.Documents[0].RootNode, "spec"), "versions"))[0];
        var root = (YamlMappingNode)Child((YamlMappingNode)Child(version, "schema"), "openAPIV3Schema");
        var missing = new List<string>();

        Walk(root, "", missing);

        Assert.True(missing.Count == 0, "fields without a description (add an XML <summary>): " + string.Join(", ", missing));
    }

    [Fact]
    public void Descriptions_ComeFromTheXmlDocs_AsPlainText()
    {
        var yaml = CrdGenerator.GenerateYaml();

        Assert.Contains("Checks run each interval while a canary or shadow is live.", yaml);
        Assert.DoesNotContain("<c>", yaml);
        Assert.DoesNotContain("<see", yaml);
    }

    [Fact]
    public void UriCelPattern_IsTheValidatorsPatternEscapedForCel()
    {
        Assert.Equal(ModelSource.UriPattern, ModelSource.UriPatternForCel.Replace("\\\\", "\\"));
    }

    private static void Walk(YamlMappingNode schema, string path, List<string> missing)
    {
        if (!schema.Children.ContainsKey(new YamlScalarNode("description"))) missing.Add(path.Length == 0 ? "<root>" : path);
        if (schema.Children.TryGetValue(new YamlScalarNode("properties"), out var properties))
            foreach (var (name, child) in ((YamlMappingNode)properties).Children)
                Walk((YamlMappingNode)child, $"{path}.{((YamlScalarNode)name).Value}", missing);
        if (schema.Children.TryGetValue(new YamlScalarNode("items"), out var items) && items is YamlMappingNode item
            && item.Children.ContainsKey(new YamlScalarNode("properties")))
            foreach (var (name, child) in ((YamlMappingNode)item.Children[new YamlScalarNode("properties")]).Children)
                Walk((YamlMappingNode)child, $"{path}[].{((YamlScalarNode)name).Value}", missing);
    }

    private static YamlNode Child(YamlMappingNode node, string key) => node.Children[new YamlScalarNode(key)];
}
