namespace ModelOperator.Activator;

/// <summary>How a request the activator received ends: forwarded to a ready pod, or answered 503 with Retry-After.</summary>
internal abstract record HoldOutcome
{
    private HoldOutcome() { }

    /// <summary>Forward the request, once, to this ready pod (host:port).</summary>
    public sealed record Forward(string Backend, TimeSpan Held) : HoldOutcome;

    /// <summary>Answer 503 with Retry-After: the model already holds maxHeldRequests, or no pod was admitted within coldStartTimeout.</summary>
    public sealed record Unavailable(string Reason, string Message, int RetryAfterSeconds) : HoldOutcome;

    /// <summary>The client went away while held.</summary>
    public sealed record Cancelled : HoldOutcome;
}
