namespace ModelOperator.Operator;

/// <summary>The operator's command-line flags: <c>--name value</c>, <c>--name=value</c> or a bare switch.</summary>
internal sealed class OperatorFlags
{
    private static readonly HashSet<string> Known = ["output", "kubeconfig", "runtime-image", "identity", "lease-namespace", "no-leader-election", "http-address", "workers", "watch-namespaces"];
    private static readonly HashSet<string> Switches = ["no-leader-election"];
    private readonly Dictionary<string, string?> _values = new();

    public static OperatorFlags Parse(IReadOnlyList<string> args)
    {
        var flags = new OperatorFlags();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{arg}'");
            var (name, value) = arg.IndexOf('=') is var eq and > 0 ? (arg[2..eq], arg[(eq + 1)..]) : (arg[2..], null);
            if (!Known.Contains(name)) throw new ArgumentException($"unknown flag --{name}; known: {string.Join(", ", Known.Select(k => "--" + k))}");
            if (value is null && !Switches.Contains(name))
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"--{name} needs a value");
                value = args[++i];
            }
            flags._values[name] = value;
        }
        return flags;
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>A comma-separated list, each entry a namespace name; empty when the flag is absent.</summary>
    public IReadOnlyList<string> GetNamespaces(string name)
    {
        if (Get(name) is not { } v) return [];
        var names = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var n in names)
            if (!System.Text.RegularExpressions.Regex.IsMatch(n, "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"))
                throw new ArgumentException($"--{name}: '{n}' is not a namespace name (lowercase letters, digits and '-', at most 63)");
        return names.Length > 0 ? names.Distinct().ToList() : throw new ArgumentException($"--{name} needs at least one namespace");
    }

    public int? GetInt(string name) => Get(name) is not { } v ? null
        : int.TryParse(v, out var n) && n > 0 ? n : throw new ArgumentException($"--{name} must be a positive integer, got '{v}'");
}
