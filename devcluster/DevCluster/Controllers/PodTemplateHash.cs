using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace ModelOperator.DevCluster.Controllers;

/// <summary>
/// The <c>pod-template-hash</c> label: FNV-1a over the template (its own hash label left out, keys sorted so that a
/// re-read object hashes the same), written in the Kubernetes safe alphabet (no vowels, no look-alike digits).
/// </summary>
public static class PodTemplateHash
{
    public const string Label = "pod-template-hash";
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Of(V1PodTemplateSpec template)
    {
        var text = Canonical(template);
        uint hash = 2166136261;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text)) { hash ^= b; hash *= 16777619; }
        var chars = new char[10];
        var n = 0;
        var value = hash;
        do { chars[n++] = Alphabet[(int)(value % (uint)Alphabet.Length)]; value /= (uint)Alphabet.Length; } while (value > 0 && n < chars.Length);
        return new string(chars, 0, n);
    }

    /// <summary>Whether two templates are the same apart from the hash label (a ReplicaSet belongs to this template).</summary>
    public static bool SameTemplate(V1PodTemplateSpec a, V1PodTemplateSpec b) => Canonical(a) == Canonical(b);

    private static string Canonical(V1PodTemplateSpec template)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(template))!;
        (node["metadata"]?["labels"] as JsonObject)?.Remove(Label);
        return Sorted(node)?.ToJsonString() ?? "";
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(kv => kv.Value is not null && !(kv.Value is JsonObject { Count: 0 }) && !(kv.Value is JsonArray { Count: 0 }))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, Sorted(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        _ => node?.DeepClone(),
    };
}
