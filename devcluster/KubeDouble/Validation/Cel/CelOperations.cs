namespace ModelOperator.KubeDouble.Validation.Cel;

/// <summary>The CEL operators and accessors the compiled closures call, with CEL's errors for wrong types.</summary>
internal static class CelOperations
{
    public static object In(object? item, object? container) => container switch
    {
        List<object?> list => list.Any(x => CelValue.Equals(x, item)),
        Dictionary<string, object?> map => item is string key && map.ContainsKey(key),
        _ => throw new CelException($"no such overload: in {CelValue.Describe(container)}"),
    };

    public static object? Arithmetic(string op, object? a, object? b) => (op, a, b) switch
    {
        ("+", string x, string y) => x + y,
        ("+", List<object?> x, List<object?> y) => x.Concat(y).ToList(),
        (_, long x, long y) => op switch
        {
            "+" => x + y, "-" => x - y, "*" => x * y,
            "/" => y == 0 ? throw new CelException("division by zero") : x / y,
            _ => y == 0 ? throw new CelException("modulus by zero") : x % y,
        },
        (_, double or long, double or long) when a is double || b is double => op switch
        {
            "+" => Convert.ToDouble(a) + Convert.ToDouble(b), "-" => Convert.ToDouble(a) - Convert.ToDouble(b),
            "*" => Convert.ToDouble(a) * Convert.ToDouble(b), "/" => Convert.ToDouble(a) / Convert.ToDouble(b),
            _ => throw new CelException("no such overload: double % double"),
        },
        _ => throw new CelException($"no such overload: {CelValue.Describe(a)} {op} {CelValue.Describe(b)}"),
    };

    public static object? Member(object? target, string name) => target switch
    {
        Dictionary<string, object?> map => map.TryGetValue(name, out var v) ? v : throw new CelException($"no such key: {name}"),
        _ => throw new CelException($"no such key: {name}"),
    };

    public static object? Index(object? target, object? index) => (target, index) switch
    {
        (List<object?> list, long i) => i >= 0 && i < list.Count ? list[(int)i] : throw new CelException($"index out of bounds: {i}"),
        (Dictionary<string, object?> map, string key) => map.TryGetValue(key, out var v) ? v : throw new CelException($"no such key: {key}"),
        _ => throw new CelException("no such overload: index"),
    };

    public static string Str(object? value) => value as string ?? throw new CelException($"expected a string, got {CelValue.Describe(value)}");

    public static object Size(object? value) => value switch
    {
        string s => (long)s.Length,
        List<object?> l => (long)l.Count,
        Dictionary<string, object?> m => (long)m.Count,
        _ => throw new CelException($"no such overload: size({CelValue.Describe(value)})"),
    };
}
