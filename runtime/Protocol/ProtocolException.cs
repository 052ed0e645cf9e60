namespace ModelOperator.Runtime.Protocol;

/// <summary>A request the server refuses; it becomes <c>{"error": Message}</c> with <see cref="StatusCode"/>.</summary>
internal sealed class ProtocolException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>Seconds for the <c>Retry-After</c> header, when the client should simply try again.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Whether the connection is closed after the answer: the request's framing cannot be trusted for the next one.</summary>
    public bool CloseConnection { get; init; }

    public static ProtocolException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
    public static ProtocolException NotFound(string message) => new(StatusCodes.Status404NotFound, message);
    public static ProtocolException TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, message);
    public static ProtocolException Unavailable(string message) => new(StatusCodes.Status503ServiceUnavailable, message);
    public static ProtocolException Overloaded(string message) => new(StatusCodes.Status503ServiceUnavailable, message) { RetryAfterSeconds = 1 };
}
