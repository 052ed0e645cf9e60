using System.Net.Sockets;

namespace ModelOperator.Runtime.Cli;

/// <summary>One printable line for a failure: the message of the exception that says most, without stack traces or line breaks.</summary>
internal static class FailureMessage
{
    public static string Of(Exception e)
    {
        var message = e switch
        {
            HttpRequestException { InnerException: SocketException s } h => $"{h.Message} ({s.SocketErrorCode}); is the server running?",
            HttpRequestException h => $"{h.Message}; is the server running?",
            TaskCanceledException => "timed out waiting for an answer",
            AggregateException { InnerExceptions.Count: 1 } a => Of(a.InnerExceptions[0]),
            _ => e.Message,
        };
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
