namespace ModelOperator.Runtime.Cli;

/// <summary>Entry point of the <c>model-runtime</c> command: dispatches to one <see cref="ICliCommand"/> per file in this folder.</summary>
internal static class CommandLine
{
    /// <summary>Every sub-command. Add a new one here (one line) and in its own file.</summary>
    private static IReadOnlyList<ICliCommand> Commands() =>
    [
        new ServeCommand(),
        new BenchCommand(),
        new BenchServingCommand(),
        new InferCommand(),
        new PackCommand(),
        new PushCommand(),
        new PullCommand(),
        new InspectCommand(),
    ];

    /// <summary>Option names that are flags (take no value) for any command.</summary>
    internal static readonly string[] FlagNames = ["force", "plain-http", "json", "optimize", "fp16", "help", "quiet", "enable-noop-endpoint", "grpc", "no-warm-up"];

    public static async Task<int> RunAsync(string[] args)
    {
        var commands = Commands();
        if (args.Length == 0)
        {
            PrintUsage(commands, Console.Error);
            return 2;
        }
        if (args[0] is "-h" or "--help" or "help")
        {
            PrintUsage(commands, Console.Out);
            return 0;
        }
        if (args[0] is "--version" or "version")
        {
            Console.WriteLine($"model-runtime {BuildVersion.Describe(typeof(CommandLine).Assembly)}");
            return 0;
        }
        var command = commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            Console.Error.WriteLine($"model-runtime: unknown command '{args[0]}'");
            PrintUsage(commands, Console.Error);
            return 2;
        }
        // Asking a command for help needs none of its required options (the runtime image's default is "serve --help").
        if (args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine($"usage: model-runtime {command.Name} [options]\n\n  {command.Summary}");
            return 0;
        }
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            return await command.RunAsync(new CliArgs(args.Skip(1), FlagNames), cts.Token);
        }
        catch (CliUsageException e)
        {
            Console.Error.WriteLine($"model-runtime {command.Name}: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Console.Error.WriteLine($"model-runtime {command.Name}: cancelled");
            return 130;
        }
        catch (Exception e)
        {
            // Every failure is one line and exit 1, never an unhandled exception with a stack trace (exit 134).
            Console.Error.WriteLine($"model-runtime {command.Name}: {FailureMessage.Of(e)}");
            return 1;
        }
    }

    private static void PrintUsage(IReadOnlyList<ICliCommand> commands, TextWriter output)
    {
        output.WriteLine("usage: model-runtime <command> [options]   (model-runtime --version; model-runtime <command> --help)\n");
        foreach (var c in commands) output.WriteLine($"  {c.Name,-8} {c.Summary}");
    }
}
