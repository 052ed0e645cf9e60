using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.ML.OnnxRuntime;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Grpc;

/// <summary>
/// The gRPC counterpart of the REST error middleware: the same failures, with the same messages, as status codes
/// (400 → INVALID_ARGUMENT, 404 → NOT_FOUND, 413 → RESOURCE_EXHAUSTED, 503 → UNAVAILABLE, anything else a logged INTERNAL).
/// </summary>
internal sealed class GrpcErrorInterceptor(ILogger<GrpcErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (ProtocolException e)
        {
            throw new RpcException(new Status(CodeOf(e.StatusCode), ClientText.Message(e.Message)),
                e.RetryAfterSeconds is { } seconds ? new Metadata { { "grpc-retry-pushback-ms", (seconds * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture) } } : []);
        }
        catch (OnnxRuntimeException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ClientText.Message($"the model could not run on this input: {e.Message}")));
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        }
        catch (Exception e) when (e is not RpcException)
        {
            logger.LogError(e, "Failed to handle gRPC call {Method}", context.Method);
            throw new RpcException(new Status(StatusCode.Internal, $"internal error: {e.Message}"));
        }
    }

    /// <summary>The gRPC status code of an HTTP status the protocol layer chose.</summary>
    public static StatusCode CodeOf(int httpStatus) => httpStatus switch
    {
        StatusCodes.Status400BadRequest => StatusCode.InvalidArgument,
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        StatusCodes.Status413PayloadTooLarge => StatusCode.ResourceExhausted,
        StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };
}
