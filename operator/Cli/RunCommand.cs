using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ModelOperator.Cli;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Cli;

/// <summary>
/// <c>model-operator run</c> (also the default when no command is given): runs the operator against the cluster its
/// kubeconfig names until SIGTERM or SIGINT (exit 0) or until it loses the leader lease (exit 1).
/// </summary>
internal sealed partial class RunCommand : Command
{
    private static readonly OperatorOptions Defaults = new();

    private readonly Option<string> _kubeconfig = new Option<string>("--kubeconfig")
    {
        Description = "The kubeconfig file (default: the in-cluster service account, else env KUBECONFIG, else ~/.kube/config)", HelpName = "PATH",
    }.LastWins();
    private readonly Option<string> _runtimeImage = new Option<string>("--runtime-image")
    {
        Description = $"Runtime image for ModelDeployments that name none (default: env MODELOPERATOR_RUNTIME_IMAGE, else {Defaults.RuntimeImage})", HelpName = "IMAGE",
    }.LastWins();
    private readonly Option<string> _identity = new Option<string>("--identity")
    {
        Description = "This instance's name in the Lease and in Events (default: env POD_NAME, else the host name and a random suffix)", HelpName = "NAME",
    }.LastWins();
    private readonly Option<string> _leaseNamespace = new Option<string>("--lease-namespace")
    {
        Description = $"Namespace of the leader Lease (default: env POD_NAMESPACE, else {Defaults.LeaseNamespace})", HelpName = "NS",
    }.LastWins();
    private readonly Option<bool> _noLeaderElection = new Option<bool>("--no-leader-election") { Description = "Act at once, without electing a leader (one replica only)" };
    private readonly Option<string> _httpAddress = new Option<string>("--http-address")
    {
        Description = "Where /metrics, /healthz and /readyz listen (port 0 picks a free one)", HelpName = "URL", DefaultValueFactory = _ => Defaults.HttpAddress,
        CustomParser = r => Uri.TryCreate(r.Tokens[^1].Value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/"
            ? r.Tokens[^1].Value : Fail(r, $"--http-address must be an http:// URL with a host and port, such as http://0.0.0.0:8081, got '{r.Tokens[^1].Value}'"),
    }.LastWins();
    private readonly Option<int> _workers = new Option<int>("--workers")
    {
        Description = "Concurrent reconciles (one per ModelDeployment at a time)", HelpName = "N", DefaultValueFactory = _ => Defaults.Workers,
        CustomParser = r => int.TryParse(r.Tokens[^1].Value, out var n) && n is > 0 and <= 1024 ? n
            : Fail<int>(r, $"--workers must be an integer between 1 and 1024, got '{r.Tokens[^1].Value}'"),
    }.LastWins();
    private readonly Option<string[]> _watchNamespaces = new Option<string[]>("--watch-namespaces")
    {
        Description = "Only these namespaces, comma-separated (default: the whole cluster)", HelpName = "NS,NS,…",
        CustomParser = r => ParseNamespaces(r.Tokens[^1].Value) is { Error: null } parsed ? parsed.Names : Fail<string[]>(r, ParseNamespaces(r.Tokens[^1].Value).Error!),
    }.LastWins();

    private readonly Option<string> _activatorService = new Option<string>("--activator-service")
    {
        Description = "The activator's Service as NAMESPACE/NAME: a scale-to-zero model's Service is routed to it while the model has no ready pod (default: none)",
        HelpName = "NS/NAME",
        CustomParser = r => r.Tokens[^1].Value.Split('/') is [var ns, var name] && NamespaceName().IsMatch(ns) && NamespaceName().IsMatch(name)
            ? r.Tokens[^1].Value : Fail(r, $"--activator-service must be NAMESPACE/NAME, such as model-operator/model-operator-activator, got '{r.Tokens[^1].Value}'"),
    }.LastWins();

    private readonly Option<ManagementPeer> _managementPeer = new Option<ManagementPeer>("--management-peer")
    {
        Description = "The operator's pods as NAMESPACE/KEY=VALUE,…: each ModelDeployment gets a NetworkPolicy that lets only them reach its pods' management port (default: no NetworkPolicy)",
        HelpName = "NS/KEY=VALUE,…",
        CustomParser = r => ManagementPeer.Parse(r.Tokens[^1].Value) is { Peer: { } peer } ? peer : Fail<ManagementPeer>(r, ManagementPeer.Parse(r.Tokens[^1].Value).Error!),
    }.LastWins();
    private readonly Option<string> _modelCacheHostPath = new Option<string>("--model-cache-host-path")
    {
        Description = $"The node directory (hostPath) of the node-local model cache runtime pods share (default: {Reconcile.NodeCacheSettings.DefaultHostPath})",
        HelpName = "DIR",
        CustomParser = r => r.Tokens[^1].Value is var path && path.StartsWith('/') && !path.Split('/').Contains("..")
            ? path : Fail(r, $"--model-cache-host-path must be an absolute path without '..', got '{r.Tokens[^1].Value}'"),
    }.LastWins();
    private readonly Option<bool> _modelCacheByDefault = new Option<bool>("--model-cache-by-default")
    {
        Description = "Use the node cache for oci:// models whose spec.model.cache.node is not set",
    };
    private readonly Option<long?> _modelCacheMaxBytes = new Option<long?>("--model-cache-max-bytes")
    {
        Description = "The node cache's size limit in bytes, which each runtime pod enforces by evicting least recently used models no pod uses (default: no limit)",
        HelpName = "N",
        CustomParser = r => long.TryParse(r.Tokens[^1].Value, out var n) && n > 0 ? n
            : Fail<long?>(r, $"--model-cache-max-bytes must be a positive number of bytes, got '{r.Tokens[^1].Value}'"),
    }.LastWins();

    public RunCommand() : base("run", "Run the operator against the cluster the kubeconfig names (the default command)")
    {
        foreach (var option in OwnOptions) Options.Add(option);
        SetAction(RunAsync);
    }

    /// <summary>The options of <c>run</c>; the root command takes them too, so that <c>model-operator --kubeconfig …</c> runs.</summary>
    public IReadOnlyList<Option> OwnOptions => [_kubeconfig, _runtimeImage, _identity, _leaseNamespace, _noLeaderElection, _httpAddress, _workers, _watchNamespaces, _activatorService,
        _managementPeer, _modelCacheHostPath, _modelCacheByDefault, _modelCacheMaxBytes];

    /// <summary>The operator's options from a parsed command line and the environment.</summary>
    public OperatorOptions ToOptions(ParseResult result, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return new OperatorOptions
        {
            RuntimeImage = result.GetValue(_runtimeImage) ?? NonEmpty(environment("MODELOPERATOR_RUNTIME_IMAGE")) ?? Defaults.RuntimeImage,
            Identity = result.GetValue(_identity) ?? NonEmpty(environment("POD_NAME")) ?? Defaults.Identity,
            LeaseNamespace = result.GetValue(_leaseNamespace) ?? NonEmpty(environment("POD_NAMESPACE")) ?? Defaults.LeaseNamespace,
            LeaderElection = !result.GetValue(_noLeaderElection),
            HttpAddress = result.GetRequiredValue(_httpAddress),
            Workers = result.GetValue(_workers),
            WatchNamespaces = result.GetValue(_watchNamespaces) ?? [],
            ActivatorService = result.GetValue(_activatorService),
            ManagementPeer = result.GetValue(_managementPeer),
            NodeCache = new Reconcile.NodeCacheSettings(result.GetValue(_modelCacheHostPath) ?? Reconcile.NodeCacheSettings.DefaultHostPath,
                result.GetValue(_modelCacheByDefault), result.GetValue(_modelCacheMaxBytes)),
        };
    }

    /// <summary>A comma-separated list of namespace names, or what is wrong with it.</summary>
    internal static (string[] Names, string? Error) ParseNamespaces(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) return ([], "--watch-namespaces needs at least one namespace");
        foreach (var name in names)
            if (!NamespaceName().IsMatch(name))
                return ([], $"--watch-namespaces: '{name}' is not a namespace name (lowercase letters, digits and '-', at most 63)");
        return ([.. names.Distinct()], null);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var options = ToOptions(result);
        var config = StartupConnection.Load(result.GetValue(_kubeconfig));
        await StartupConnection.CheckAsync(config, cancellationToken);
        using var loggers = LoggerFactory.Create(b =>
        {
            if (Console.IsOutputRedirected) b.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
            else b.AddSimpleConsole(o => o.SingleLine = true);
        });
        await using var host = await OperatorHost.StartAsync(config, options, loggers);
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        var stopped = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => OperatorHost.StopReason.Stopped, TaskScheduler.Default);
        var reason = await await Task.WhenAny(host.Completion, stopped);
        return reason == OperatorHost.StopReason.LeadershipLost ? 1 : 0;
    }

    private static T Fail<T>(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }

    private static string Fail(System.CommandLine.Parsing.ArgumentResult result, string message) => Fail<string>(result, message);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamespaceName();
}
