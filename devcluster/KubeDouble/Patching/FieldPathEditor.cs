using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.Patching;

/// <summary>Removes the field or list item a managedFields path names from an object.</summary>
internal static class FieldPathEditor
{
    public static void Remove(ResourceType type, JsonObject obj, string path)
    {
        var elements = path.Split(FieldSet.Separator);
        if (elements[^1] == ".") elements = elements[..^1];
        JsonNode? node = obj;
        var fields = new List<string>();
        for (var i = 0; i < elements.Length; i++)
        {
            var element = elements[i];
            var last = i == elements.Length - 1;
            if (element.StartsWith("f:") && node is JsonObject o)
            {
                var name = element[2..];
                fields.Add(name);
                if (last) { o.Remove(name); return; }
                node = o[name];
            }
            else if (node is JsonArray a && (element.StartsWith("k:") || element.StartsWith("v:")))
            {
                var list = ListSemantics.For(type, fields);
                var item = a.FirstOrDefault(x => list.ItemKey(x) == element);
                if (item is null) return;
                if (last) { a.Remove(item); return; }
                node = item;
            }
            else return;
        }
    }
}
