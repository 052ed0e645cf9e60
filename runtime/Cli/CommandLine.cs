using System.CommandLine;
using System.CommandLine.Invocation;
using ModelOperator.Cli;

namespace ModelOperator.Runtime.Cli;

/// <summary>
/// Entry point of the <c>model-runtime</c> command (System.CommandLine): one <see cref="Command"/> per file in this
/// folder. Exit codes: 0 done, 1 a failure, 2 a usage error, 130 interrupted; every failure is one line on stderr.
/// </summary>
internal static class CommandLine
{
    public const string Program = "model-runtime";

    /// <summary>The root command with every sub-command. Add a new one here (one line) and in its own file.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Serve ONNX models over the Open Inference Protocol v2, benchmark them, and pack, push, pull and inspect model packages")
        {
            new ServeCommand(),
            new BenchCommand(),
            new BenchServingCommand(),
            new InferCommand(),
            new PackCommand(),
            new PushCommand(),
            new PullCommand(),
            new InspectCommand(),
        };
        CliConventions.UseBuildVersion(root, Program, typeof(CommandLine).Assembly);
        return root;
    }

    /// <summary>Parses a command line without running it.</summary>
    public static ParseResult Parse(IReadOnlyList<string> args) => Create().Parse(args, CliConventions.Parser);

    public static async Task<int> RunAsync(string[] args)
    {
        CliConventions.UseEnglish();
        var parse = Parse(args);
        if (args.Length == 0)
        {
            // No command at all: the list of commands is the most useful answer, on stderr because it is a usage error.
            await parse.RootCommandResult.Command.Parse(["--help"], CliConventions.Parser).InvokeAsync(new InvocationConfiguration { Output = Console.Error });
            return CliConventions.UsageExitCode;
        }
        if (CliConventions.UsageError(parse, Program) is { } usage)
        {
            Console.Error.WriteLine(usage);
            return CliConventions.UsageExitCode;
        }
        var command = CliConventions.CommandPath(parse, Program);
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            return await parse.InvokeAsync(CliConventions.Invocation, cts.Token);
        }
        catch (CliUsageException e)
        {
            Console.Error.WriteLine($"{command}: {e.Message} (see {command} --help)");
            return CliConventions.UsageExitCode;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{command}: cancelled");
            return 130;
        }
        catch (Exception e)
        {
            // Every failure is one line and exit 1, never an unhandled exception with a stack trace (exit 134).
            Console.Error.WriteLine($"{command}: {FailureMessage.Of(e)}");
            return 1;
        }
    }
}
