namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// Client text echoed in an error (a name, a datatype, a header value) is cut to a few hundred characters and marked as
/// cut: a million-character model name would otherwise come back whole, in a REST body or in <c>grpc-message</c>, where
/// a default gRPC client then fails on the size of the metadata instead of reporting the error.
/// </summary>
internal static class ClientText
{
    /// <summary>Characters of one echoed client string kept.</summary>
    public const int MaxEchoed = 256;

    /// <summary>Characters of a whole error message kept: a guard for any echo that was not cut on its own.</summary>
    public const int MaxMessage = 2048;

    /// <summary><paramref name="text"/>, or its first <paramref name="max"/> characters and how many more were cut.</summary>
    public static string Cut(string? text, int max = MaxEchoed)
    {
        if (text is null) return "";
        if (text.Length <= max) return text;
        // Never half a surrogate pair: the rest of the message must stay valid UTF-16 (and so valid UTF-8 on the wire).
        var keep = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return string.Concat(text.AsSpan(0, keep), $"… ({text.Length - keep} more characters cut)");
    }

    /// <summary>An error message as it is sent: cut to <see cref="MaxMessage"/>.</summary>
    public static string Message(string message) => Cut(message, MaxMessage);
}
