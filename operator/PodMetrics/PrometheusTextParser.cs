using System.Globalization;
using System.Text;

namespace ModelOperator.Operator.PodMetrics;

/// <summary>
/// Parses the Prometheus text exposition format (version 0.0.4), as prometheus-net writes it: comments and
/// <c># HELP</c>/<c># TYPE</c> lines are skipped, label values are unescaped (<c>\\</c>, <c>\"</c>, <c>\n</c>),
/// values may be <c>NaN</c>, <c>+Inf</c> or <c>-Inf</c>, and an optional timestamp after the value is ignored.
/// </summary>
public static class PrometheusTextParser
{
    /// <summary>Parses a whole exposition.</summary>
    /// <exception cref="FormatException">A line is malformed; the message names the line and what is wrong.</exception>
    public static IReadOnlyList<MetricSample> Parse(string text)
    {
        var samples = new List<MetricSample>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            samples.Add(ParseLine(line, lineNumber));
        }
        return samples;
    }

    private static MetricSample ParseLine(string line, int lineNumber)
    {
        var position = 0;
        while (position < line.Length && IsNameChar(line[position], position == 0)) position++;
        if (position == 0) throw Error(lineNumber, "expected a metric name", line);
        var name = line[..position];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{') position = ParseLabels(line, position + 1, labels, lineNumber);
        var rest = line[position..].Trim();
        if (rest.Length == 0) throw Error(lineNumber, "expected a value after the metric name", line);
        var valueText = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return new MetricSample(name, labels, ParseValue(valueText, lineNumber, line));
    }

    private static int ParseLabels(string line, int position, Dictionary<string, string> labels, int lineNumber)
    {
        while (true)
        {
            while (position < line.Length && (line[position] == ' ' || line[position] == ',')) position++;
            if (position >= line.Length) throw Error(lineNumber, "unterminated label set", line);
            if (line[position] == '}') return position + 1;
            var start = position;
            while (position < line.Length && IsNameChar(line[position], position == start)) position++;
            if (position == start) throw Error(lineNumber, $"expected a label name at column {position + 1}", line);
            var labelName = line[start..position];
            while (position < line.Length && line[position] == ' ') position++;
            if (position >= line.Length || line[position] != '=') throw Error(lineNumber, $"expected '=' after label {labelName}", line);
            position++;
            while (position < line.Length && line[position] == ' ') position++;
            if (position >= line.Length || line[position] != '"') throw Error(lineNumber, $"expected a quoted value for label {labelName}", line);
            position++;
            var value = new StringBuilder();
            while (true)
            {
                if (position >= line.Length) throw Error(lineNumber, $"unterminated value of label {labelName}", line);
                var c = line[position++];
                if (c == '"') break;
                if (c != '\\') { value.Append(c); continue; }
                if (position >= line.Length) throw Error(lineNumber, $"unterminated escape in label {labelName}", line);
                var escaped = line[position++];
                value.Append(escaped switch
                {
                    'n' => '\n',
                    '\\' => '\\',
                    '"' => '"',
                    _ => throw Error(lineNumber, $"unknown escape \\{escaped} in label {labelName}", line),
                });
            }
            labels[labelName] = value.ToString();
        }
    }

    private static double ParseValue(string text, int lineNumber, string line) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw Error(lineNumber, $"value '{text}' is not a number", line),
    };

    private static bool IsNameChar(char c, bool first) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (!first && c is >= '0' and <= '9');

    private static FormatException Error(int lineNumber, string problem, string line) =>
        new($"Prometheus text line {lineNumber}: {problem}: {line}");
}
