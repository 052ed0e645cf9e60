using System.Text.Json;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Reads JSON strings from a request, turning text that is not valid UTF-8 (or an escaped lone surrogate such as
/// <c>"\ud800"</c>) into a 400 that names the field, instead of the reader's InvalidOperationException (a 500).
/// </summary>
internal static class JsonStrings
{
    /// <param name="field">What the string is, for the error: <c>'id'</c>, <c>input 'x': element 3 of 'data'</c>.</param>
    public static string Get(ref Utf8JsonReader reader, string field)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid(field);
        }
    }

    /// <summary>The string's unescaped UTF-8 bytes (a BYTES element).</summary>
    public static byte[] Utf8Bytes(ref Utf8JsonReader reader, string field)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            // Unescaped text is the bytes as sent; only its UTF-8 needs checking.
            if (!System.Text.Unicode.Utf8.IsValid(reader.ValueSpan)) throw Invalid(field);
            return reader.ValueSpan.ToArray();
        }
        var buffer = new byte[reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length];
        try
        {
            return buffer.AsSpan(0, reader.CopyString(buffer)).ToArray();
        }
        catch (InvalidOperationException)
        {
            throw Invalid(field);
        }
    }

    private static ProtocolException Invalid(string field) =>
        ProtocolException.BadRequest($"{field} is not valid UTF-8 text (invalid bytes, or an escaped lone surrogate such as \\ud800)");
}
