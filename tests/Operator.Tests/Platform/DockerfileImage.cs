using System.Text.Json;
using System.Text.RegularExpressions;

namespace ModelOperator.Operator.Tests.Platform;

/// <summary>
/// What a two-stage Dockerfile of this repository does with its build output, read from its instructions: the
/// <c>dotnet publish</c> of the build stage, the folder the final stage copies from it and to where, the files the
/// final stage removes again, its base image and its exec-form ENTRYPOINT.
/// </summary>
internal sealed record DockerfileImage(IReadOnlyList<string> PublishArguments, string CopiedFrom, string CopiedTo,
    IReadOnlyList<string> Removed, string BaseImage, IReadOnlyList<string> Entrypoint)
{
    /// <summary>The folder <c>dotnet publish -o</c> writes, which must be what the final stage copies.</summary>
    public string PublishOutput => PublishArguments.SkipWhile(a => a is not ("-o" or "--output")).Skip(1).FirstOrDefault()
        ?? throw new FormatException("the dotnet publish of the build stage has no -o");

    public static DockerfileImage Parse(string text)
    {
        // Instructions, with continuation lines joined and comments dropped.
        var instructions = Regex.Replace(text, @"\\\r?\n", " ").Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => (Keyword: l.Split(' ', 2)[0].ToUpperInvariant(), Text: l.Split(' ', 2).ElementAtOrDefault(1) ?? "")).ToList();
        var stages = new List<List<(string Keyword, string Text)>>();
        foreach (var instruction in instructions)
        {
            if (instruction.Keyword == "FROM") stages.Add([]);
            stages[^1].Add(instruction);
        }
        if (stages.Count != 2) throw new FormatException($"expected a build stage and a final stage, found {stages.Count} FROM lines");
        var (build, final) = (stages[0], stages[1]);

        var publish = build.Where(i => i.Keyword == "RUN").Select(i => Regex.Match(i.Text, @"dotnet publish ([^&;]+)")).FirstOrDefault(m => m.Success)
            ?? throw new FormatException("the build stage runs no dotnet publish");
        var buildName = Regex.Match(build[0].Text, @"\bAS\s+(\S+)", RegexOptions.IgnoreCase).Groups[1].Value;
        var copy = final.Where(i => i.Keyword == "COPY").Select(i => Regex.Match(i.Text, $@"^--from={Regex.Escape(buildName)}\s+(\S+)\s+(\S+)$"))
            .FirstOrDefault(m => m.Success) ?? throw new FormatException($"the final stage copies nothing from the {buildName} stage");
        var removed = final.Where(i => i.Keyword == "RUN").SelectMany(i => Regex.Matches(i.Text, @"rm -f ((?:\S+\s*)+?)(?:&&|$)"))
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var entrypoint = final.LastOrDefault(i => i.Keyword == "ENTRYPOINT").Text
            ?? throw new FormatException("the final stage has no ENTRYPOINT");
        return new DockerfileImage(publish.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            copy.Groups[1].Value.TrimEnd('/'), copy.Groups[2].Value.TrimEnd('/'), removed, final[0].Text.Split(' ')[0],
            JsonSerializer.Deserialize<string[]>(entrypoint) ?? throw new FormatException($"ENTRYPOINT {entrypoint} is not the exec form"));
    }
}
