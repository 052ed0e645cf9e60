using System.Text.RegularExpressions;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// What a served model may be called: the name becomes one path segment of every OIP URL
/// (<c>/v2/models/{name}/infer</c>), so it takes letters, digits, '_', '.' and '-' only, starts with a letter, digit
/// or '_', and is at most 128 characters; <c>a/b</c>, <c>../../x</c> or <c>my model</c> would make the model unreachable.
/// </summary>
internal static partial class ModelNames
{
    public const int MaxLength = 128;

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex Pattern();

    /// <returns>Null when the name is valid, else what is wrong with it.</returns>
    public static string? Problem(string name)
    {
        if (name.Length == 0) return "the model name is empty";
        if (name.Length > MaxLength) return $"the model name is {name.Length} characters long, over {MaxLength}";
        if (!Pattern().IsMatch(name))
            return $"the model name '{Printable(name)}' cannot be one URL path segment: use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'";
        return null;
    }

    private static string Printable(string name) => new(name.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
