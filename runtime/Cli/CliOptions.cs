using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ModelOperator.Cli;

namespace ModelOperator.Runtime.Cli;

/// <summary>
/// Option factories shared by the commands, so that every command names, bounds and reports its values the same way:
/// a value out of range is a usage error saying the range and what was given, and help shows the default.
/// </summary>
internal static class CliOptions
{
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<string> Text(string name, string description, string helpName, bool required = false) =>
        new Option<string>(name) { Description = description, HelpName = helpName, Required = required }.LastWins();

    /// <summary>A repeatable option, one value per occurrence (<c>--label a=1 --label b=2</c>); null when absent.</summary>
    public static Option<string[]> Repeated(string name, string description, string helpName) =>
        new(name) { Description = description, HelpName = helpName };

    public static Option<int> Int(string name, string description, int defaultValue, int min, int max = int.MaxValue) =>
        new Option<int>(name)
        {
            Description = description, HelpName = "N", DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseInteger(r, min, max, int.TryParse),
        }.LastWins();

    /// <summary>An integer without a fixed default (the description says what absence means).</summary>
    public static Option<int?> OptionalInt(string name, string description, int min, int max = int.MaxValue) =>
        new Option<int?>(name) { Description = description, HelpName = "N", CustomParser = r => ParseInteger<int>(r, min, max, int.TryParse) }.LastWins();

    /// <summary>An integer without a fixed default (the description says what absence means).</summary>
    public static Option<long?> OptionalLong(string name, string description, long min, long max = long.MaxValue) =>
        new Option<long?>(name) { Description = description, HelpName = "N", CustomParser = r => ParseInteger<long>(r, min, max, long.TryParse) }.LastWins();

    public static Option<double> Double(string name, string description, double defaultValue, double min, string helpName = "X", double max = double.PositiveInfinity) =>
        new Option<double>(name)
        {
            Description = description, HelpName = helpName, DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseDouble(r, min, max) ?? 0,
        }.LastWins();

    public static Option<double?> OptionalDouble(string name, string description, double min, double max = double.PositiveInfinity) =>
        new Option<double?>(name) { Description = description, HelpName = "X", CustomParser = r => ParseDouble(r, min, max) }.LastWins();

    /// <summary>A comma-separated list of positive integers (<c>--batch 1,8,32</c>); null when absent (the description gives the default).</summary>
    public static Option<int[]?> IntList(string name, string description) =>
        new Option<int[]?>(name)
        {
            Description = description, HelpName = "N,N,…",
            CustomParser = r =>
            {
                var raw = r.Tokens[^1].Value;
                var values = new List<int>();
                foreach (var part in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v <= 0)
                    {
                        r.AddError($"{Name(r)} must be a comma-separated list of positive integers, got '{raw}'");
                        return null;
                    }
                    values.Add(v);
                }
                if (values.Count == 0) r.AddError($"{Name(r)} is empty");
                return [.. values];
            },
        }.LastWins();

    /// <summary><c>--device auto|cuda|cpu</c>; absent means auto.</summary>
    public static Option<Inference.DeviceKind> Device(string description)
    {
        var option = new Option<Inference.DeviceKind>("--device")
        {
            Description = description + " (default auto: CUDA where it loads, else CPU)", HelpName = "auto|cuda|cpu",
            CustomParser = r =>
            {
                try { return Inference.DeviceKinds.Parse(r.Tokens[^1].Value); }
                catch (ArgumentException e) { r.AddError(e.Message); return default; }
            },
        };
        option.CompletionSources.Clear(); // the enum's own names are capitalised
        option.CompletionSources.Add("auto", "cuda", "cpu");
        return option.LastWins();
    }

    /// <summary>Checks each value of a repeatable option with <paramref name="check"/>; its <see cref="CliUsageException"/> becomes a parse error.</summary>
    public static Option<string[]> Checked(this Option<string[]> option, Action<IReadOnlyList<string>> check)
    {
        option.Validators.Add(r =>
        {
            try { check([.. r.Tokens.Select(t => t.Value)]); }
            catch (CliUsageException e) { r.AddError(e.Message); }
        });
        return option;
    }

    private delegate bool TryParse<T>(string text, NumberStyles style, IFormatProvider provider, out T value);

    private static T ParseInteger<T>(ArgumentResult r, T min, T max, TryParse<T> tryParse) where T : struct, IComparable<T>
    {
        var raw = r.Tokens[^1].Value;
        if (tryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0)
            return value;
        r.AddError($"{Name(r)} must be an integer between {min} and {max}, got '{raw}'");
        return default;
    }

    private static double? ParseDouble(ArgumentResult r, double min, double max = double.PositiveInfinity)
    {
        var raw = r.Tokens[^1].Value;
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= min && value <= max) return value;
        var range = double.IsPositiveInfinity(max) ? $">= {min.ToString(CultureInfo.InvariantCulture)}"
            : $"between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}";
        r.AddError($"{Name(r)} must be a number {range}, got '{raw}'");
        return null;
    }

    private static string Name(ArgumentResult r) => (r.Parent as OptionResult)?.Option.Name ?? r.Argument.Name;
}
