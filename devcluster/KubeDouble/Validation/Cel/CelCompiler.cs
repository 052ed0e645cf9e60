using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelOperator.KubeDouble.Validation.Cel;

/// <summary>
/// Compiles the subset of CEL that CRD validation rules commonly use into closures: literals, <c>self</c>/<c>oldSelf</c>,
/// field and index access, <c>has()</c>, arithmetic, comparisons, <c>in</c>, logic, the ternary, <c>size</c>,
/// <c>startsWith</c>/<c>endsWith</c>/<c>contains</c>/<c>matches</c>, <c>int</c>/<c>string</c>/<c>double</c> and the
/// <c>all</c>/<c>exists</c>/<c>exists_one</c> macros. Anything else throws <see cref="CelUnsupportedException"/>.
/// </summary>
internal sealed class CelCompiler
{
    private readonly List<(char Kind, string Text)> _tokens;
    private int _at;

    private CelCompiler(string source) => _tokens = CelLexer.Tokens(source);

    // Validation runs on every write with the same few rules; compiling each once keeps writes cheap. Closures
    // are stateless, so they are shared; a rule that does not compile fails the same way every time.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Func<IReadOnlyDictionary<string, object?>, object?>>> Compiled = new();

    public static Func<IReadOnlyDictionary<string, object?>, object?> Compile(string source) =>
        Compiled.GetOrAdd(source, s => new Lazy<Func<IReadOnlyDictionary<string, object?>, object?>>(() => CompileOnce(s))).Value;

    private static Func<IReadOnlyDictionary<string, object?>, object?> CompileOnce(string source)
    {
        var compiler = new CelCompiler(source);
        var expression = compiler.Expression();
        if (compiler.Peek.Kind != 'e') throw new CelUnsupportedException($"unexpected '{compiler.Peek.Text}'");
        return expression;
    }

    private (char Kind, string Text) Peek => _tokens[_at];
    private bool IsOp(string op) => Peek.Kind == 'o' && Peek.Text == op;
    private bool Accept(string op) { if (!IsOp(op)) return false; _at++; return true; }
    private void Expect(string op) { if (!Accept(op)) throw new CelUnsupportedException($"expected '{op}' at '{Peek.Text}'"); }

    private Func<IReadOnlyDictionary<string, object?>, object?> Expression()
    {
        var condition = Or();
        if (!Accept("?")) return condition;
        var then = Expression();
        Expect(":");
        var otherwise = Expression();
        return s => CelValue.Truthy(condition(s)) ? then(s) : otherwise(s);
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Or()
    {
        var left = And();
        while (Accept("||")) { var l = left; var r = And(); left = s => CelValue.Truthy(l(s)) || CelValue.Truthy(r(s)); }
        return left;
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> And()
    {
        var left = Relation();
        while (Accept("&&")) { var l = left; var r = Relation(); left = s => CelValue.Truthy(l(s)) && CelValue.Truthy(r(s)); }
        return left;
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Relation()
    {
        var left = Additive();
        while (true)
        {
            var l = left;
            if (Peek is ('i', "in")) { _at++; var r = Additive(); left = s => CelOperations.In(l(s), r(s)); continue; }
            if (Peek.Kind != 'o' || Peek.Text is not ("==" or "!=" or "<" or "<=" or ">" or ">=")) return left;
            var op = Peek.Text;
            _at++;
            var right = Additive();
            left = op switch
            {
                "==" => s => CelValue.Equals(l(s), right(s)),
                "!=" => s => !CelValue.Equals(l(s), right(s)),
                "<" => s => CelValue.Compare(l(s), right(s)) < 0,
                "<=" => s => CelValue.Compare(l(s), right(s)) <= 0,
                ">" => s => CelValue.Compare(l(s), right(s)) > 0,
                _ => s => CelValue.Compare(l(s), right(s)) >= 0,
            };
        }
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Additive()
    {
        var left = Multiplicative();
        while (IsOp("+") || IsOp("-"))
        {
            var op = Peek.Text;
            _at++;
            var l = left;
            var r = Multiplicative();
            left = s => CelOperations.Arithmetic(op, l(s), r(s));
        }
        return left;
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Multiplicative()
    {
        var left = Unary();
        while (IsOp("*") || IsOp("/") || IsOp("%"))
        {
            var op = Peek.Text;
            _at++;
            var l = left;
            var r = Unary();
            left = s => CelOperations.Arithmetic(op, l(s), r(s));
        }
        return left;
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Unary()
    {
        if (Accept("!")) { var operand = Unary(); return s => !CelValue.Truthy(operand(s)); }
        if (Accept("-")) { var operand = Unary(); return s => CelOperations.Arithmetic("-", 0L, operand(s)); }
        return Postfix(Primary());
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Postfix(Func<IReadOnlyDictionary<string, object?>, object?> target)
    {
        while (true)
        {
            if (Accept("."))
            {
                var name = Peek.Kind == 'i' ? Peek.Text : throw new CelUnsupportedException("expected a name after '.'");
                _at++;
                var t = target;
                if (Accept("(")) target = Method(t, name);
                else target = s => CelOperations.Member(t(s), name);
            }
            else if (Accept("["))
            {
                var index = Expression();
                Expect("]");
                var t = target;
                target = s => CelOperations.Index(t(s), index(s));
            }
            else return target;
        }
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Method(Func<IReadOnlyDictionary<string, object?>, object?> target, string name)
    {
        if (name is "all" or "exists" or "exists_one" or "map")
        {
            var variable = Peek.Kind == 'i' ? Peek.Text : throw new CelUnsupportedException($"{name} needs a variable");
            _at++;
            Expect(",");
            var predicate = Expression();
            Expect(")");
            return s =>
            {
                var items = target(s) switch
                {
                    List<object?> list => list,
                    Dictionary<string, object?> map => map.Keys.Cast<object?>().ToList(),
                    var other => throw new CelException($"no such overload: {name} on {CelValue.Describe(other)}"),
                };
                object? Apply(object? item) => predicate(new Dictionary<string, object?>(s) { [variable] = item });
                bool Test(object? item) => CelValue.Truthy(Apply(item));
                if (name == "map") return items.Select(Apply).ToList();
                return name switch { "all" => items.All(Test), "exists" => items.Any(Test), _ => items.Count(Test) == 1 };
            };
        }
        var args = Arguments();
        return name switch
        {
            "size" when args.Count == 0 => s => CelOperations.Size(target(s)),
            // The Kubernetes list library's isSorted(), for lists of numbers or of strings.
            "isSorted" when args.Count == 0 => s => target(s) switch
            {
                List<object?> list => list.Zip(list.Skip(1)).All(pair => Compare(pair.First, pair.Second) <= 0),
                var other => throw new CelException($"no such overload: isSorted on {CelValue.Describe(other)}"),
            },
            "startsWith" => s => CelOperations.Str(target(s)).StartsWith(CelOperations.Str(args[0](s)), StringComparison.Ordinal),
            "endsWith" => s => CelOperations.Str(target(s)).EndsWith(CelOperations.Str(args[0](s)), StringComparison.Ordinal),
            "contains" => s => CelOperations.Str(target(s)).Contains(CelOperations.Str(args[0](s)), StringComparison.Ordinal),
            "matches" => s => Regex.IsMatch(CelOperations.Str(target(s)), CelOperations.Str(args[0](s)), RegexOptions.None, TimeSpan.FromSeconds(1)),
            _ => throw new CelUnsupportedException($"unsupported method {name}"),
        };
    }

    private static int Compare(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (long or double, long or double) => Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
        _ => throw new CelException($"no such overload: isSorted on {CelValue.Describe(a)} and {CelValue.Describe(b)}"),
    };

    private List<Func<IReadOnlyDictionary<string, object?>, object?>> Arguments()
    {
        var args = new List<Func<IReadOnlyDictionary<string, object?>, object?>>();
        if (Accept(")")) return args;
        do args.Add(Expression()); while (Accept(","));
        Expect(")");
        return args;
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Primary()
    {
        var token = Peek;
        _at++;
        switch (token.Kind)
        {
            case 'n':
                if (long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var l)) return _ => l;
                var d = double.Parse(token.Text, CultureInfo.InvariantCulture);
                return _ => d;
            case 's':
                var text = token.Text;
                return _ => text;
            case 'o' when token.Text == "(":
                var inner = Expression();
                Expect(")");
                return inner;
            case 'o' when token.Text == "[":
                var items = new List<Func<IReadOnlyDictionary<string, object?>, object?>>();
                if (!Accept("]")) { do items.Add(Expression()); while (Accept(",")); Expect("]"); }
                return s => items.Select(i => i(s)).ToList();
            case 'i':
                return Identifier(token.Text);
            default:
                throw new CelUnsupportedException($"unexpected '{token.Text}'");
        }
    }

    private Func<IReadOnlyDictionary<string, object?>, object?> Identifier(string name)
    {
        switch (name)
        {
            case "true": return _ => true;
            case "false": return _ => false;
            case "null": return _ => null;
        }
        if (!Accept("(")) return s => s.TryGetValue(name, out var v) ? v : throw new CelUnsupportedException($"undeclared reference to '{name}'");
        if (name == "has")
        {
            var owner = Primary();
            while (!(IsOp(".") && _tokens[_at + 1].Kind == 'i' && _tokens[_at + 2] is ('o', ")"))) owner = PostfixOne(owner);
            _at++;
            var field = Peek.Text;
            _at++;
            Expect(")");
            return s => owner(s) is Dictionary<string, object?> map && map.ContainsKey(field);
        }
        var args = Arguments();
        return (name, args.Count) switch
        {
            ("size", 1) => s => CelOperations.Size(args[0](s)),
            ("int", 1) => s => args[0](s) switch { long x => x, double x => (long)x, string x => long.Parse(x, CultureInfo.InvariantCulture), var x => throw new CelException($"no such overload: int({CelValue.Describe(x)})") },
            ("double", 1) => s => Convert.ToDouble(args[0](s), CultureInfo.InvariantCulture),
            ("string", 1) => s => Convert.ToString(args[0](s), CultureInfo.InvariantCulture),
            _ => throw new CelUnsupportedException($"unsupported function {name}"),
        };
    }

    /// <summary>One postfix step (for re-reading the owner of a has() selection).</summary>
    private Func<IReadOnlyDictionary<string, object?>, object?> PostfixOne(Func<IReadOnlyDictionary<string, object?>, object?> target)
    {
        if (Accept("."))
        {
            var name = Peek.Kind == 'i' ? Peek.Text : throw new CelUnsupportedException("has() needs a field selection");
            _at++;
            return s => CelOperations.Member(target(s), name);
        }
        if (Peek.Kind == 'e') throw new CelUnsupportedException("has() needs a field selection");
        Expect("[");
        var index = Expression();
        Expect("]");
        return s => CelOperations.Index(target(s), index(s));
    }
}
