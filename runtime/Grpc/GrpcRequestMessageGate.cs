using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Grpc.Core;
using ModelOperator.Runtime.Protocol;
using ModelOperator.Runtime.Server;

namespace ModelOperator.Runtime.Grpc;

/// <summary>
/// Stands before the gRPC framework for the unary calls of the inference and health services, and does for a call's
/// request message what REST does for a body, before the message is buffered:
/// <list type="bullet">
/// <item>reads its 5-byte length prefix and reserves the message's share of <c>--max-inflight-bytes</c> (as a REST body
/// reserves its declared length); past the limit the call is answered <c>UNAVAILABLE</c> with
/// <c>grpc-retry-pushback-ms</c>, the gRPC form of REST's 503 with <c>Retry-After</c>, and the reservation is held until
/// the call is answered. HTTP/2 flow control keeps what a client can send before this check to one stream window;</item>
/// <item>refuses a message over the body limit with <c>RESOURCE_EXHAUSTED</c> from its prefix alone;</item>
/// <item>gives the call <see cref="ServeOptions.GrpcMessageTimeout"/> (plus a second per MiB it declares) to deliver its
/// message and end its stream, answering <c>DEADLINE_EXCEEDED</c> past it, so idle streams do not hold a connection's
/// streams for ever; and answers a call that ends with no message, or a part of one, with <c>INVALID_ARGUMENT</c>.</item>
/// </list>
/// The message is left unconsumed in the request pipe, where the framework reads it as it would have.
/// </summary>
internal sealed class GrpcRequestMessageGate(RequestDelegate next, InflightBytes inflight, ServeOptions options)
{
    private const string InferencePrefix = "/" + ModelServer.GrpcInferenceServiceName + "/";
    private const string ModelInferPath = InferencePrefix + "ModelInfer";
    private const string HealthPrefix = "/grpc.health.v1.Health/";
    private const int PrefixLength = 5;

    /// <summary>How long a retry should wait, as REST's <c>Retry-After: 1</c>.</summary>
    public const int RetryPushbackMilliseconds = 1000;

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is null || !(path.StartsWith(InferencePrefix, StringComparison.Ordinal) || path.StartsWith(HealthPrefix, StringComparison.Ordinal))
            || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
        {
            await next(context);
            return;
        }
        using var lease = path == ModelInferPath ? new InflightLease(inflight) : null;
        if (await ReadMessageAsync(context, lease) is { } refusal)
        {
            Answer(context.Response, refusal.Status, refusal.RetryPushback);
            return;
        }
        await next(context);
    }

    private async Task<(Status Status, bool RetryPushback)?> ReadMessageAsync(HttpContext context, InflightLease? lease)
    {
        var reader = context.Request.BodyReader;
        var timeout = options.GrpcMessageTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);
        long? length = null;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(deadline.Token);
                var buffer = read.Buffer;
                if (length is null && buffer.Length >= PrefixLength)
                {
                    length = MessageLength(buffer);
                    if (length > options.MaxBodyBytes)
                    {
                        reader.AdvanceTo(buffer.Start);
                        return (new Status(StatusCode.ResourceExhausted,
                            $"the request message ({length} bytes) is over the limit of {options.MaxBodyBytes} bytes (--max-body-mb)"), false);
                    }
                    try { lease?.Cover(length.Value); }
                    catch (ProtocolException e)
                    {
                        reader.AdvanceTo(buffer.Start);
                        return (new Status(StatusCode.Unavailable, e.Message), true);
                    }
                    timeout += TimeSpan.FromSeconds(length.Value / (1 << 20));
                    deadline.CancelAfter(timeout);
                }
                if (length is { } declared && buffer.Length > PrefixLength + declared)
                {
                    reader.AdvanceTo(buffer.Start);
                    return (new Status(StatusCode.InvalidArgument, "the call sent more than one request message; this method takes exactly one"), false);
                }
                if (read.IsCompleted)
                {
                    // Nothing consumed or examined: the framework's first read returns all of it at once.
                    reader.AdvanceTo(buffer.Start);
                    if (buffer.Length == 0) return (new Status(StatusCode.InvalidArgument, "the call ended without a request message"), false);
                    if (length is null || buffer.Length < PrefixLength + length)
                        return (new Status(StatusCode.InvalidArgument,
                            $"the call ended inside its request message ({buffer.Length} bytes of {(length is null ? "a 5-byte prefix" : $"{PrefixLength + length}")})"), false);
                    return null;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return (new Status(StatusCode.DeadlineExceeded,
                $"the call did not deliver its request message and end its stream within {timeout.TotalSeconds:0.###} s"), false);
        }
    }

    private static long MessageLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[PrefixLength];
        buffer.Slice(0, PrefixLength).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
    }

    /// <summary>A trailers-only response: the status in the headers of an empty HTTP 200, as gRPC answers a refused call.</summary>
    private static void Answer(HttpResponse response, Status status, bool retryPushback)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(ClientText.Message(status.Detail));
        if (retryPushback) response.Headers["grpc-retry-pushback-ms"] = RetryPushbackMilliseconds.ToString(CultureInfo.InvariantCulture);
    }
}
