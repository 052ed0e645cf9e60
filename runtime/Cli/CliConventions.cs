using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace ModelOperator.Cli;

/// <summary>
/// How <c>model-runtime</c> and <c>model-operator</c> (which links this file) use System.CommandLine: POSIX parsing
/// without response files, English messages, exit code 2 for a usage error printed as one line, <c>--version</c> with the
/// commit, and no signal handling of its own (the server drains on SIGTERM itself; System.CommandLine would end the
/// process after a fixed timeout).
/// </summary>
internal static class CliConventions
{
    public const int UsageExitCode = 2;

    // "@file" response files are a Windows convention; an argument that starts with '@' stays an argument.
    public static ParserConfiguration Parser { get; } = new() { ResponseFileTokenReplacer = null };

    public static InvocationConfiguration Invocation { get; } = new() { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };

    /// <summary>
    /// Lets a single-valued option be given again, the last value winning, as GNU tools and kubectl's flags do (a chart's
    /// <c>extraArgs: [--workers=4]</c> overrides its own <c>--workers=8</c>); System.CommandLine would refuse the second.
    /// </summary>
    public static Option<T> LastWins<T>(this Option<T> option)
    {
        option.Arity = ArgumentArity.OneOrMore;
        if (option.CustomParser is null)
        {
            if (typeof(T) != typeof(string)) throw new InvalidOperationException($"{option.Name} needs a parser that reads the last value");
            option.CustomParser = r => (T)(object)r.Tokens[^1].Value;
        }
        return option;
    }

    /// <summary>
    /// Every message of ours is English, so System.CommandLine's are too (it ships translations chosen by the UI culture);
    /// <see cref="UsageError"/> also reads them.
    /// </summary>
    public static void UseEnglish() => System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>Makes <c>--version</c> print <c>&lt;program&gt; &lt;version&gt; (commit &lt;sha&gt;)</c>.</summary>
    public static void UseBuildVersion(RootCommand root, string program, Assembly assembly)
    {
        var version = root.Options.OfType<VersionOption>().Single();
        version.Action = new PrintLine($"{program} {BuildVersion.Describe(assembly)}");
    }

    /// <summary>One line naming the command and every problem with the command line, or null when it parsed (or asks for help).</summary>
    public static string? UsageError(ParseResult parse, string program)
    {
        if (parse.Action is not ParseErrorAction || parse.Errors.Count == 0) return null;
        var command = CommandPath(parse, program);
        var unrecognized = parse.Errors.Select(e => e.Message).Where(m => m.StartsWith(Unrecognized, StringComparison.Ordinal)).ToList();
        var problems = parse.Errors.Select(e => e.Message).Where(m => !m.StartsWith(Unrecognized, StringComparison.Ordinal)).Select(OneLine).ToList();
        // Only the first unknown word: the ones after it are often its value ("--max-batchsize 4").
        if (unrecognized.Count > 0)
        {
            problems.Insert(0, Unknown(unrecognized[0][Unrecognized.Length..unrecognized[0].LastIndexOf('\'')], parse.CommandResult));
            // "bogus" alone is an unknown command, not also a missing one.
            problems.RemoveAll(p => p.StartsWith("required command was not provided", StringComparison.Ordinal));
        }
        return $"{command}: {string.Join("; ", problems.Distinct())} (see {command} --help)";
    }

    /// <summary><c>model-runtime serve</c>: the program and the sub-commands the parse reached.</summary>
    public static string CommandPath(ParseResult parse, string program)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
            names.Insert(0, result.Command.Name);
        return string.Join(' ', [program, .. names]);
    }

    private const string Unrecognized = "Unrecognized command or argument '";

    private static string Unknown(string typed, System.CommandLine.Parsing.CommandResult result)
    {
        var command = result.Command;
        var isOption = typed.StartsWith('-');
        var known = isOption ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
        var what = isOption ? "unknown option" : command.Subcommands.Count > 0 && result.Parent is null ? "unknown command" : "unexpected argument";
        return ClosestName.Of(typed, known) is { } name ? $"{what} '{typed}' (did you mean {name}?)" : $"{what} '{typed}'";
    }

    private static string OneLine(string message)
    {
        var line = string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
        // System.CommandLine's own messages are sentences ("Unrecognized command or argument '--x'."); ours are clauses.
        return line.Length > 1 && char.IsUpper(line[0]) && !char.IsUpper(line[1]) ? char.ToLowerInvariant(line[0]) + line[1..] : line;
    }

    private sealed class PrintLine(string line) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(line);
            return 0;
        }
    }
}
