using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Metrics;
using ModelOperator.Runtime.Server;

namespace ModelOperator.Runtime.Grpc;

/// <summary>
/// Counts and times <c>ModelInfer</c> calls in the same series as REST inference requests (same labels, so existing
/// queries and dashboards see both protocols). Only names this server serves become label values.
/// </summary>
internal sealed class GrpcMetricsInterceptor(RuntimeMetrics metrics, ModelRegistry registry) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is not ModelInferRequest infer || !registry.Contains(infer.ModelName))
            return await continuation(request, context);
        var model = infer.ModelName;
        var inFlight = metrics.InFlight.WithLabels(model);
        inFlight.Inc();
        var started = Stopwatch.GetTimestamp();
        var outcome = "server_error";
        try
        {
            var response = await continuation(request, context);
            outcome = "success";
            return response;
        }
        catch (RpcException e)
        {
            outcome = Outcome(e.StatusCode);
            throw;
        }
        finally
        {
            inFlight.Dec();
            metrics.Requests.WithLabels(model, outcome).Inc();
            metrics.RequestDuration.WithLabels(model, outcome).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>The same outcome classes as REST: the caller's fault, or the server's (UNAVAILABLE counts as 503 does).</summary>
    public static string Outcome(StatusCode code) => code switch
    {
        StatusCode.OK => "success",
        StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.ResourceExhausted or StatusCode.FailedPrecondition
            or StatusCode.OutOfRange or StatusCode.Cancelled => "client_error",
        _ => "server_error",
    };
}
