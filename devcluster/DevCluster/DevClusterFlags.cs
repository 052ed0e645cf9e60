namespace ModelOperator.DevCluster;

/// <summary>
/// The dev-cluster command line: <c>--state DIR --nodes FILE --crds DIR --operator PATH | --operator-chart DIR [--helm PATH]
/// --api-port N --prometheus PATH|off --prometheus-address HOST:PORT --pod-cidr CIDR --service-cidr CIDR</c>.
/// </summary>
public sealed record DevClusterFlags
{
    public string StateDirectory { get; init; } = ".devcluster";
    public string? NodesFile { get; init; }
    public string? CrdDirectory { get; init; }
    /// <summary>The operator binary to run as a host process (not a pod) against the kubeconfig.</summary>
    public string? OperatorPath { get; init; }
    /// <summary>The chart to <c>helm install</c>, so the operator runs as the chart's pods (brings the CRDs too).</summary>
    public string? OperatorChart { get; init; }
    /// <summary>The helm binary for <see cref="OperatorChart"/>.</summary>
    public string HelmPath { get; init; } = "helm";
    public string? PrometheusPath { get; init; }
    public int ApiPort { get; init; }
    public string PrometheusAddress { get; init; } = "127.0.0.1:9090";
    /// <summary>The loopback range pod IPs come from; null keeps <see cref="DevClusterOptions.PodCidr"/>'s default.</summary>
    public string? PodCidr { get; init; }
    /// <summary>The loopback range Service cluster IPs come from; null keeps <see cref="DevClusterOptions.ServiceCidr"/>'s default.</summary>
    public string? ServiceCidr { get; init; }

    /// <summary>
    /// <c>--containers on</c>: the kubelet runs pods as podman containers of their images (opt-in; <c>off</c>, the
    /// default, runs them as processes). Where podman cannot run, processes, said at start.
    /// </summary>
    public bool Containers { get; init; }

    private static readonly string[] Known = ["state", "nodes", "crds", "operator", "operator-chart", "helm", "prometheus", "prometheus-address", "api-port", "pod-cidr", "service-cidr", "containers"];

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
                "operator-chart" => flags with { OperatorChart = value },
                "helm" => flags with { HelmPath = value },
                "prometheus" => flags with { PrometheusPath = value is "" or "off" or "0" ? null : value },
                "prometheus-address" => flags with { PrometheusAddress = value },
                "api-port" => flags with { ApiPort = int.TryParse(value, out var port) && port is >= 0 and < 65536 ? port : throw new ArgumentException($"--api-port must be a port number, got '{value}'") },
                // Two dev clusters on one machine (or anything else on their addresses) collide on the default ranges.
                "pod-cidr" => flags with { PodCidr = LoopbackCidr(name, value) },
                "service-cidr" => flags with { ServiceCidr = LoopbackCidr(name, value) },
                "containers" => flags with { Containers = value switch { "on" or "1" or "true" => true, "off" or "0" or "false" or "" => false, _ => throw new ArgumentException($"--containers must be on or off, got '{value}'") } },
                _ => flags,
            };
        }
        if (flags.OperatorPath is not null && flags.OperatorChart is not null)
            throw new ArgumentException("--operator (a host process) and --operator-chart (helm install, pods) both start the operator; give one");
        if (flags.CrdDirectory is not null && flags.OperatorChart is not null)
            throw new ArgumentException("--crds and --operator-chart both install the CRDs (the chart's template does, so that helm owns them); drop --crds");
        return flags;
    }

    private static string LoopbackCidr(string flag, string value) =>
        System.Text.RegularExpressions.Regex.IsMatch(value, @"^127\.\d{1,3}\.\d{1,3}\.\d{1,3}/(8|9|[12]\d|30)$")
            ? value
            : throw new ArgumentException($"--{flag} must be a range inside 127.0.0.0/8 such as 127.10.0.0/16, got '{value}'");
}
