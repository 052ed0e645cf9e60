using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Server;

/// <summary>One request's share of <see cref="InflightBytes"/>, grown as its body turns out larger, released on dispose.</summary>
internal sealed class InflightLease(InflightBytes gate) : IDisposable
{
    /// <summary>Held per body byte: the body, and the tensors decoded from it.</summary>
    public const int BytesPerBodyByte = 2;

    private long _reserved;

    /// <summary>Grows the reservation to cover a body of <paramref name="bodyBytes"/>; a 503 with Retry-After when it does not fit.</summary>
    public void Cover(long bodyBytes)
    {
        var wanted = bodyBytes * BytesPerBodyByte;
        if (wanted <= _reserved) return;
        if (!gate.TryAcquire(wanted - _reserved))
            throw ProtocolException.Overloaded(
                $"the server is holding {gate.Held} bytes of requests, and this one ({bodyBytes} bytes) would pass its limit of {gate.Limit} (--max-inflight-bytes); retry shortly");
        _reserved = wanted;
    }

    public void Dispose()
    {
        gate.Release(_reserved);
        _reserved = 0;
    }
}
