using System.Text.Json.Nodes;

namespace ModelOperator.KubeDouble.Discovery;

/// <summary>
/// The subset of kubectl JSONPath that printer columns use: <c>.a.b</c>, <c>[n]</c>, <c>[*]</c> and filters
/// <c>[?(@.type=="Ready")]</c>. Returns every match.
/// </summary>
internal static class SimpleJsonPath
{
    public static IReadOnlyList<JsonNode?> Evaluate(JsonNode? root, string path)
    {
        var p = path.Trim();
        if (p.StartsWith('{') && p.EndsWith('}')) p = p[1..^1];
        if (p.StartsWith('$')) p = p[1..];
        List<JsonNode?> current = [root];
        var i = 0;
        while (i < p.Length)
        {
            if (p[i] == '.')
            {
                var end = i + 1;
                while (end < p.Length && p[end] != '.' && p[end] != '[') end++;
                var name = p[(i + 1)..end];
                if (name.Length > 0) current = [.. current.Select(n => (n as JsonObject)?[name]).Where(n => n is not null)];
                i = end;
            }
            else if (p[i] == '[')
            {
                var close = FindClose(p, i);
                var inner = p[(i + 1)..close];
                current = [.. current.SelectMany(n => Index(n, inner))];
                i = close + 1;
            }
            else i++;
        }
        return current;
    }

    private static int FindClose(string p, int open)
    {
        var depth = 0;
        for (var j = open; j < p.Length; j++)
        {
            if (p[j] == '[') depth++;
            else if (p[j] == ']' && --depth == 0) return j;
        }
        return p.Length - 1;
    }

    private static IEnumerable<JsonNode?> Index(JsonNode? node, string inner)
    {
        if (node is not JsonArray array) return [];
        if (inner == "*") return array;
        if (int.TryParse(inner, out var index)) return index >= 0 && index < array.Count ? [array[index]] : [];
        if (inner.StartsWith("?(") && inner.EndsWith(')'))
        {
            var condition = inner[2..^1];
            var op = condition.Contains("!=") ? "!=" : "==";
            var parts = condition.Split(op, 2);
            var left = parts[0].Trim().TrimStart('@');
            var right = parts.Length > 1 ? parts[1].Trim().Trim('"', '\'') : null;
            return array.Where(item =>
            {
                var values = Evaluate(item, left);
                if (right is null) return values.Count > 0;
                var matches = values.Any(v => v?.ToString() == right);
                return op == "==" ? matches : !matches;
            });
        }
        return [];
    }
}
