namespace ModelOperator.Runtime.Cli;

/// <summary>One sub-command of <c>model-runtime</c> (serve, bench, pack, push, pull, inspect).</summary>
internal interface ICliCommand
{
    /// <summary>The word that selects the command: <c>model-runtime &lt;Name&gt; …</c>.</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    /// <summary>Runs the command; returns the process exit code (0 success, 1 failure, 2 bad usage).</summary>
    Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken);
}
