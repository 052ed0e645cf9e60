namespace ModelOperator.Runtime.Cli;

/// <summary>
/// The parsed words after the sub-command: positionals, <c>--key value</c> / <c>--key=value</c> options
/// (repeatable), and bare <c>--flag</c>s. Every command shares it so that they all read options the same way.
/// </summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positionals { get; }

    /// <param name="words">The words after the sub-command.</param>
    /// <param name="flagNames">Option names that take no value (e.g. <c>force</c>, <c>plain-http</c>, <c>json</c>).</param>
    public CliArgs(IEnumerable<string> words, IEnumerable<string> flagNames)
    {
        var flags = new HashSet<string>(flagNames, StringComparer.Ordinal);
        var positionals = new List<string>();
        using var e = words.GetEnumerator();
        while (e.MoveNext())
        {
            var word = e.Current;
            if (word == "--") { while (e.MoveNext()) positionals.Add(e.Current); break; }
            if (!word.StartsWith('-') || word == "-") { positionals.Add(word); continue; }
            var name = word.TrimStart('-');
            string? value = null;
            var eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            if (name.Length == 1 && name == "o") name = "output";
            if (flags.Contains(name) && value is null) { _flags.Add(name); continue; }
            if (value is null)
            {
                if (!e.MoveNext()) throw new CliUsageException($"option --{name} needs a value");
                value = e.Current;
            }
            if (!_options.TryGetValue(name, out var list)) _options[name] = list = [];
            list.Add(value);
        }
        Positionals = positionals;
    }

    public bool Flag(string name) { _read.Add(name); return _flags.Contains(name); }

    public string? Option(string name) { _read.Add(name); return _options.TryGetValue(name, out var v) ? v[^1] : null; }

    public IReadOnlyList<string> Options(string name) { _read.Add(name); return _options.TryGetValue(name, out var v) ? v : []; }

    public string Required(string name) => Option(name) ?? throw new CliUsageException($"missing required option --{name}");

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = Option(name);
        if (raw is null) return fallback;
        if (!int.TryParse(raw, out var value) || value < min || value > max)
            throw new CliUsageException($"--{name} must be an integer between {min} and {max}, got '{raw}'");
        return value;
    }

    public long Long(string name, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        var raw = Option(name);
        if (raw is null) return fallback;
        if (!long.TryParse(raw, out var value) || value < min || value > max)
            throw new CliUsageException($"--{name} must be an integer between {min} and {max}, got '{raw}'");
        return value;
    }

    public double Double(string name, double fallback, double min = double.MinValue)
    {
        var raw = Option(name);
        if (raw is null) return fallback;
        if (!double.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min)
            throw new CliUsageException($"--{name} must be a number >= {min}, got '{raw}'");
        return value;
    }

    /// <summary>A comma-separated list of positive integers, such as <c>--batch 1,8,32</c>.</summary>
    public IReadOnlyList<int> IntList(string name, IReadOnlyList<int> fallback)
    {
        var raw = Option(name);
        if (raw is null) return fallback;
        var parts = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, out var v) || v <= 0)
                throw new CliUsageException($"--{name} must be a comma-separated list of positive integers, got '{raw}'");
            values.Add(v);
        }
        return values.Count > 0 ? values : throw new CliUsageException($"--{name} is empty");
    }

    /// <summary>Fails on options the command never asked for, so a typo is an error rather than silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Concat(_flags).Where(n => !_read.Contains(n)).ToList();
        if (unknown.Count > 0) throw new CliUsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}

/// <summary>A command line that cannot be run as written; the message says what is wrong.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
