namespace ModelOperator.Runtime.Benchmarking;

/// <summary>
/// The machine's 1, 5 and 15 minute load averages, printed beside benchmark figures: on a shared machine the absolute
/// rates mean little without them (ratios measured in the same interleaved rounds are what to compare).
/// </summary>
internal static class LoadAverage
{
    /// <summary>Such as <c>load 3.41 2.39 1.27</c>; <c>load n/a</c> where the system does not say (no /proc/loadavg).</summary>
    public static string Describe()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length >= 3 ? $"load {fields[0]} {fields[1]} {fields[2]}" : "load n/a";
        }
        catch (IOException) { return "load n/a"; }
        catch (UnauthorizedAccessException) { return "load n/a"; }
    }
}
