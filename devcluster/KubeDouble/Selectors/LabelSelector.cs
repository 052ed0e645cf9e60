using ModelOperator.KubeDouble.Http;

namespace ModelOperator.KubeDouble.Selectors;

/// <summary>
/// A parsed label selector string: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>,
/// <c>a</c> (exists) and <c>!a</c> (does not exist), joined by commas.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    public static readonly LabelSelector Everything = new();

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r(labels));

    public static LabelSelector Parse(string text)
    {
        var selector = new LabelSelector();
        foreach (var clause in SplitClauses(text))
        {
            var c = clause.Trim();
            if (c.Length == 0) continue;
            selector._requirements.Add(ParseClause(c));
        }
        return selector;
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseClause(string c)
    {
        if (c.StartsWith('!')) { var key = Key(c[1..]); return l => !l.ContainsKey(key); }
        var notIn = c.IndexOf(" notin ", StringComparison.Ordinal);
        if (notIn > 0) { var (k, set) = (Key(c[..notIn]), Set(c[(notIn + 7)..], c)); return l => !l.TryGetValue(k, out var v) || !set.Contains(v); }
        var inAt = c.IndexOf(" in ", StringComparison.Ordinal);
        if (inAt > 0) { var (k, set) = (Key(c[..inAt]), Set(c[(inAt + 4)..], c)); return l => l.TryGetValue(k, out var v) && set.Contains(v); }
        var ne = c.IndexOf("!=", StringComparison.Ordinal);
        if (ne > 0) { var (k, v) = (Key(c[..ne]), c[(ne + 2)..].Trim()); return l => !l.TryGetValue(k, out var x) || x != v; }
        var eq = c.IndexOf('=');
        if (eq > 0)
        {
            var value = c[(eq + 1)..].TrimStart('=').Trim();
            var key = Key(c[..eq]);
            return l => l.TryGetValue(key, out var x) && x == value;
        }
        var exists = Key(c);
        return l => l.ContainsKey(exists);
    }

    private static string Key(string raw)
    {
        var key = raw.Trim();
        if (key.Length == 0 || key.Any(ch => char.IsWhiteSpace(ch) || ch is '(' or ')' or '!' or '='))
            throw ApiException.BadRequest($"unable to parse requirement: invalid label key \"{key}\"");
        return key;
    }

    private static HashSet<string> Set(string raw, string clause)
    {
        var t = raw.Trim();
        if (!t.StartsWith('(') || !t.EndsWith(')')) throw ApiException.BadRequest($"unable to parse requirement: found '{t}', expected: '(' in \"{clause}\"");
        return [.. t[1..^1].Split(',').Select(v => v.Trim()).Where(v => v.Length > 0)];
    }

    /// <summary>Splits on commas that are not inside a parenthesised set.</summary>
    private static IEnumerable<string> SplitClauses(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0) { yield return text[start..i]; start = i + 1; }
        }
        yield return text[start..];
    }
}
