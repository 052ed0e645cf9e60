namespace ModelOperator.OperatorBench;

/// <summary>What the scale benchmark runs.</summary>
internal sealed record BenchOptions(string OperatorDll, int Count, TimeSpan Idle, TimeSpan ConvergeTimeout)
{
    public static BenchOptions? Parse(string[] args)
    {
        string? dll = null;
        int n = 1000, idle = 30, timeout = 120;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--operator": dll = value; i++; break;
                case "--n" when int.TryParse(value, out var v) && v > 0: n = v; i++; break;
                case "--idle-seconds" when int.TryParse(value, out var v) && v >= 0: idle = v; i++; break;
                case "--timeout-seconds" when int.TryParse(value, out var v) && v > 0: timeout = v; i++; break;
                default:
                    Console.Error.WriteLine($"operator-bench: unexpected argument '{args[i]}'; usage: --operator <model-operator.dll> [--n N] [--idle-seconds S] [--timeout-seconds S]");
                    return null;
            }
        }
        if (dll is null || !File.Exists(dll))
        {
            Console.Error.WriteLine($"operator-bench: --operator must name the built model-operator.dll (got '{dll}')");
            return null;
        }
        return new BenchOptions(Path.GetFullPath(dll), n, TimeSpan.FromSeconds(idle), TimeSpan.FromSeconds(timeout));
    }
}
