namespace ModelOperator.KubeDouble.Validation.Cel;

/// <summary>Splits a CEL expression into tokens: identifiers, numbers, strings and operators.</summary>
internal static class CelLexer
{
    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"];

    public static List<(char Kind, string Text)> Tokens(string source)
    {
        var tokens = new List<(char, string)>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_')) i++;
                tokens.Add(('i', source[start..i]));
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < source.Length && (char.IsDigit(source[i]) || source[i] == '.' && i + 1 < source.Length && char.IsDigit(source[i + 1]) || source[i] is 'e' or 'E')) i++;
                if (i < source.Length && source[i] is 'u' or 'U') i++;
                tokens.Add(('n', source[start..i].TrimEnd('u', 'U')));
            }
            else if (c is '"' or '\'')
            {
                var end = i + 1;
                var text = new System.Text.StringBuilder();
                while (end < source.Length && source[end] != c)
                {
                    if (source[end] == '\\' && end + 1 < source.Length) { end++; text.Append(source[end] switch { 'n' => '\n', 't' => '\t', var e => e }); }
                    else text.Append(source[end]);
                    end++;
                }
                if (end >= source.Length) throw new CelUnsupportedException("unterminated string");
                tokens.Add(('s', text.ToString()));
                i = end + 1;
            }
            else
            {
                var op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, i, o, 0, o.Length) == 0)
                    ?? throw new CelUnsupportedException($"unexpected character '{c}'");
                tokens.Add(('o', op));
                i += op.Length;
            }
        }
        tokens.Add(('e', ""));
        return tokens;
    }
}
