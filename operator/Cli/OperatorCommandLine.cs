using System.CommandLine;
using ModelOperator.Cli;

namespace ModelOperator.Operator.Cli;

/// <summary>
/// Entry point of the <c>model-operator</c> command (System.CommandLine). Exit codes: 0 stopped by SIGTERM/SIGINT or
/// done, 1 a failure (cannot start, lost the leader lease), 2 a usage error; every failure is one line on stderr.
/// </summary>
internal static class OperatorCommandLine
{
    public const string Program = "model-operator";

    public static RootCommand Create()
    {
        var run = new RunCommand();
        var root = new RootCommand("Run the ModelDeployment operator (the default command, run), or write its CRD (crds)") { run, new CrdsCommand() };
        // model-operator --kubeconfig … runs, as the chart, the dev cluster and the benchmark start it.
        foreach (var option in run.OwnOptions) root.Options.Add(option);
        root.Action = run.Action;
        CliConventions.UseBuildVersion(root, Program, typeof(OperatorHost).Assembly);
        return root;
    }

    /// <summary>Parses a command line without running it.</summary>
    public static ParseResult Parse(IReadOnlyList<string> args) => Create().Parse(args, CliConventions.Parser);

    /// <summary>The options a <c>[run] …</c> command line asks for, as the chart and the dev cluster write it.</summary>
    /// <exception cref="ArgumentException">The line is malformed; the message is the line the program prints.</exception>
    public static OperatorOptions RunOptions(IReadOnlyList<string> args, Func<string, string?>? environment = null)
    {
        var parse = Parse(args);
        if (CliConventions.UsageError(parse, Program) is { } usage) throw new ArgumentException(usage);
        // The root shares run's option instances, so run reads them whether or not the line says "run".
        return parse.RootCommandResult.Command.Subcommands.OfType<RunCommand>().Single().ToOptions(parse, environment);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        CliConventions.UseEnglish();
        var parse = Parse(args);
        if (CliConventions.UsageError(parse, Program) is { } usage)
        {
            Console.Error.WriteLine(usage);
            return CliConventions.UsageExitCode;
        }
        try
        {
            return await parse.InvokeAsync(CliConventions.Invocation);
        }
        catch (Exception e)
        {
            // A start-up failure (no kubeconfig, an unreachable API server, a taken port) is one line, never a stack trace.
            Console.Error.WriteLine($"{CliConventions.CommandPath(parse, Program)}: {OneLine(e)}");
            return 1;
        }
    }

    private static string OneLine(Exception e)
    {
        var message = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerExceptions[0].Message : e.Message;
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
