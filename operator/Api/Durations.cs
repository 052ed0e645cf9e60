namespace ModelOperator.Operator.Api;

/// <summary>Durations are strings as Flagger and Argo Rollouts write them: <c>30s</c>, <c>2m</c>, <c>1h30m</c>, <c>500ms</c>.</summary>
public static class Durations
{
    /// <summary>The schema pattern every duration field carries.</summary>
    public const string Pattern = "^([0-9]+(ms|s|m|h))+$";

    private static readonly System.Text.RegularExpressions.Regex Part = new("([0-9]+)(ms|s|m|h)");

    /// <summary>Parses a duration string; null when it does not match <see cref="Pattern"/>.</summary>
    public static TimeSpan? TryParse(string? text)
    {
        if (string.IsNullOrEmpty(text) || !System.Text.RegularExpressions.Regex.IsMatch(text, Pattern)) return null;
        var total = TimeSpan.Zero;
        foreach (System.Text.RegularExpressions.Match m in Part.Matches(text))
        {
            if (!long.TryParse(m.Groups[1].Value, out var n)) return null;
            total += m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromHours(n),
            };
        }
        return total;
    }

    /// <summary>Writes a duration as the spec does: <c>1m30s</c>, <c>45s</c>, <c>250ms</c>.</summary>
    public static string Format(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(1)) return $"{(long)d.TotalMilliseconds}ms";
        var text = "";
        if (d.Hours + d.Days * 24 > 0) text += $"{d.Hours + d.Days * 24}h";
        if (d.Minutes > 0) text += $"{d.Minutes}m";
        if (d.Seconds > 0 || text.Length == 0) text += $"{d.Seconds}s";
        return text;
    }
}
