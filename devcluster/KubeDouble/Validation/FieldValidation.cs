namespace ModelOperator.KubeDouble.Validation;

/// <summary>
/// The request's fieldValidation directive (Strict, Warn or Ignore), carried to the validator without threading it
/// through every write path. Unknown fields are pruned either way; Strict refuses them with 400, Warn adds a
/// Warning header as the API server does.
/// </summary>
internal static class FieldValidation
{
    private static readonly AsyncLocal<string?> Current = new();
    private static readonly AsyncLocal<List<string>?> Warnings = new();

    public static string Mode => Current.Value ?? "Warn";

    /// <summary>Starts a request with this directive; returns the list its warnings will collect in.</summary>
    public static List<string> Begin(string? mode)
    {
        Current.Value = string.IsNullOrEmpty(mode) ? null : mode;
        return Warnings.Value = [];
    }

    public static void Warn(string warning)
    {
        var warnings = Warnings.Value;
        if (warnings is null) return;
        lock (warnings) warnings.Add(warning);
    }
}
