namespace ModelOperator.Runtime.Protocol;

/// <summary>A request the server refuses; it becomes <c>{"error": Message}</c> with <see cref="StatusCode"/>.</summary>
internal sealed class ProtocolException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static ProtocolException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
    public static ProtocolException NotFound(string message) => new(StatusCodes.Status404NotFound, message);
    public static ProtocolException TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, message);
    public static ProtocolException Unavailable(string message) => new(StatusCodes.Status503ServiceUnavailable, message);
}
