namespace ModelOperator.DevCluster;

/// <summary>The dev-cluster command line: <c>--state DIR --nodes FILE --crds DIR --operator PATH --api-port N --prometheus PATH|off --prometheus-address HOST:PORT</c>.</summary>
public sealed record DevClusterFlags
{
    public string StateDirectory { get; init; } = ".devcluster";
    public string? NodesFile { get; init; }
    public string? CrdDirectory { get; init; }
    public string? OperatorPath { get; init; }
    public string? PrometheusPath { get; init; }
    public int ApiPort { get; init; }
    public string PrometheusAddress { get; init; } = "127.0.0.1:9090";

    private static readonly string[] Known = ["state", "nodes", "crds", "operator", "prometheus", "prometheus-address", "api-port"];

    /// <summary>Parses the flags; an unknown flag or a missing value is an error that names it.</summary>
    public static DevClusterFlags Parse(IReadOnlyList<string> args)
    {
        var flags = new DevClusterFlags();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{arg}'");
            var name = arg[2..];
            string? value = null;
            if (name.Contains('=')) (name, value) = (name[..name.IndexOf('=')], name[(name.IndexOf('=') + 1)..]);
            if (!Known.Contains(name)) throw new ArgumentException($"unknown flag --{name}; known: {string.Join(", ", Known.Select(k => "--" + k))}");
            if (value is null)
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"--{name} needs a value");
                value = args[++i];
            }
            flags = name switch
            {
                "state" => flags with { StateDirectory = value },
                "nodes" => flags with { NodesFile = value },
                "crds" => flags with { CrdDirectory = value },
                "operator" => flags with { OperatorPath = value },
                "prometheus" => flags with { PrometheusPath = value is "" or "off" or "0" ? null : value },
                "prometheus-address" => flags with { PrometheusAddress = value },
                "api-port" => flags with { ApiPort = int.TryParse(value, out var port) && port is >= 0 and < 65536 ? port : throw new ArgumentException($"--api-port must be a port number, got '{value}'") },
                _ => flags,
            };
        }
        return flags;
    }
}
