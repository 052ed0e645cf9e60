using Grpc.Core;
using Grpc.Net.Client;
using ModelOperator.Runtime.Grpc.Inference;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>
/// A closed-loop OIP v2 gRPC load generator (<see cref="ClosedLoopLoad"/>): the same <c>ModelInfer</c> request over
/// and over, over HTTP/2 without TLS, with as many connections as HTTP/2 needs for the clients' streams.
/// </summary>
internal sealed class GrpcLoadGenerator(Uri address)
{
    public async Task<LoadResult> RunAsync(ModelInferRequest request, int clients, TimeSpan warmup, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        };
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = null });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        async Task<string?> SendAsync(CancellationToken token)
        {
            try
            {
                await client.ModelInferAsync(request, cancellationToken: token);
                return null;
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled) { return $"{e.StatusCode}: {e.Status.Detail}"; }
        }

        return await ClosedLoopLoad.RunAsync(SendAsync, clients, warmup, duration, cancellationToken);
    }
}
