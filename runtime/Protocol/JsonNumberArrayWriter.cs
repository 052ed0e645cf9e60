using System.Globalization;
using System.Numerics;
using System.Text.Json;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Writes a float tensor as a flat JSON array by formatting each number straight into one pooled buffer and handing
/// the whole array to the writer at once, instead of one writer call (and its checks) per element. The text is what
/// <see cref="Utf8JsonWriter.WriteNumberValue(float)"/> writes (shortest round-trip form); NaN and infinities are the
/// strings "NaN", "Infinity" and "-Infinity", as JSON has no such numbers.
/// </summary>
internal static class JsonNumberArrayWriter
{
    // The longest shortest-round-trip double ("-2.2250738585072014E-308") plus a comma.
    private const int MaxElementBytes = 32;

    public static void Write<T>(Utf8JsonWriter writer, ReadOnlySpan<T> values) where T : IFloatingPointIeee754<T>, IUtf8SpanFormattable
    {
        if (values.Length > (Array.MaxLength - 2) / MaxElementBytes)
        {
            // Past what one buffer holds (tens of millions of elements): element by element.
            writer.WriteStartArray();
            foreach (var v in values)
            {
                if (!T.IsFinite(v)) writer.WriteStringValue(T.IsNaN(v) ? "NaN" : T.IsPositive(v) ? "Infinity" : "-Infinity");
                else if (typeof(T) == typeof(float)) writer.WriteNumberValue((float)(object)v);
                else writer.WriteNumberValue(double.CreateChecked(v));
            }
            writer.WriteEndArray();
            return;
        }
        var buffer = RequestBuffers.Rent(2 + values.Length * MaxElementBytes);
        try
        {
            var span = buffer.AsSpan();
            span[0] = (byte)'[';
            var at = 1;
            for (var i = 0; i < values.Length; i++)
            {
                if (i > 0) span[at++] = (byte)',';
                var v = values[i];
                if (T.IsFinite(v))
                {
                    v.TryFormat(span[at..], out var written, default, CultureInfo.InvariantCulture);
                    at += written;
                }
                else
                {
                    var text = T.IsNaN(v) ? "\"NaN\""u8 : T.IsPositive(v) ? "\"Infinity\""u8 : "\"-Infinity\""u8;
                    text.CopyTo(span[at..]);
                    at += text.Length;
                }
            }
            span[at++] = (byte)']';
            writer.WriteRawValue(span[..at], skipInputValidation: true);
        }
        finally
        {
            RequestBuffers.Return(buffer);
        }
    }
}
