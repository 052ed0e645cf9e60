using k8s.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ModelOperator.DevCluster.Nodes;

/// <summary>
/// Reads the simulated nodes from a YAML or JSON file (<c>--nodes FILE</c>):
/// <c>nodes: [{name, labels: {k: v}, taints: ["key=value:Effect"], capacity: {cpu: "8", memory: 32Gi, nvidia.com/gpu: "2"}}]</c>.
/// </summary>
public static class NodeConfigFile
{
    private sealed class Document
    {
        public List<NodeConfig> Nodes { get; set; } = [];
    }

    /// <summary>Loads and checks the file; every problem is reported with the node and field it concerns.</summary>
    public static List<NodeConfig> Load(string path) => Parse(File.ReadAllText(path), path);

    public static List<NodeConfig> Parse(string text, string source = "nodes file")
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
        Document document;
        try { document = deserializer.Deserialize<Document>(text) ?? new Document(); }
        catch (YamlDotNet.Core.YamlException e) { throw new FormatException($"{source}: {e.Message}", e); }
        if (document.Nodes.Count == 0) throw new FormatException($"{source}: no nodes; expected \"nodes:\" with at least one node");
        var names = new HashSet<string>();
        foreach (var node in document.Nodes)
        {
            if (string.IsNullOrWhiteSpace(node.Name)) throw new FormatException($"{source}: a node has no name");
            if (!names.Add(node.Name)) throw new FormatException($"{source}: node \"{node.Name}\" appears twice");
            foreach (var taint in node.Taints)
                try { NodeObjects.ParseTaint(taint); }
                catch (FormatException e) { throw new FormatException($"{source}: node \"{node.Name}\": {e.Message}", e); }
            foreach (var (resource, quantity) in node.Capacity)
                try { _ = new ResourceQuantity(quantity).ToDecimal(); }
                catch (Exception e) { throw new FormatException($"{source}: node \"{node.Name}\": capacity {resource}=\"{quantity}\" is not a quantity", e); }
            node.Labels.TryAdd("kubernetes.io/hostname", node.Name);
            node.Capacity.TryAdd("pods", "110");
        }
        return document.Nodes;
    }
}
