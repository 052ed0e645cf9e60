namespace ModelOperator.Cli;

/// <summary>The known name a mistyped option or command most likely meant (<c>--prot</c> → <c>--port</c>), if any is close.</summary>
internal static class ClosestName
{
    public static string? Of(string typed, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            // A known name with something appended or cut short ("--max-batchsize", "--max-bat") is as close as it gets.
            var distance = name.Length >= 4 && (typed.StartsWith(name, StringComparison.Ordinal) || name.StartsWith(typed, StringComparison.Ordinal)) && typed.TrimStart('-').Length >= 3
                ? 1 : Distance(typed, name);
            if (distance < bestDistance) (best, bestDistance) = (name, distance);
        }
        // Close means a few edits for the length: "--prot" → "--port", but not "--x" → "--node".
        return best is not null && bestDistance <= Math.Clamp(typed.TrimStart('-').Length / 3, 1, 3) ? best : null;
    }

    /// <summary>Edits (insert, delete, substitute, swap two neighbours) from <paramref name="a"/> to <paramref name="b"/>; ordinal.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j], d[i, j - 1]) + 1, d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
