using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Server;
using Xunit;

namespace ModelOperator.Runtime.Tests.Infrastructure;

/// <summary>A real <c>serve</c> server on free loopback ports (REST and gRPC), with an HTTP client and a gRPC channel pointed at it.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(ModelServer server, CapturedLogs logs)
    {
        Server = server;
        Logs = logs;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Grpc = GrpcChannel.ForAddress(server.GrpcAddress!);
    }

    public ModelServer Server { get; }
    public HttpClient Http { get; }

    /// <summary>A channel to the gRPC port (HTTP/2 without TLS).</summary>
    public GrpcChannel Grpc { get; }
    public string ModelName => Server.Model.Name;

    /// <summary>What the server logged at warning level and above.</summary>
    public CapturedLogs Logs { get; }

    /// <summary>Starts the server and, unless told otherwise, waits (bounded) until the model is ready.</summary>
    public static async Task<RunningServer> StartAsync(ServeOptions options, bool waitReady = true)
    {
        var logs = new CapturedLogs();
        var server = await ModelServer.StartAsync(options with { Host = "127.0.0.1", Port = 0, GrpcPort = 0 },
            logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(logs));
        var running = new RunningServer(server, logs);
        if (waitReady)
        {
            var finished = await Task.WhenAny(server.Loading, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(finished == server.Loading, $"model {options.Model} did not become ready within 60 s (state {server.Model.State})");
            await server.Loading;
        }
        return running;
    }

    public static Task<RunningServer> StartAsync(string modelPath, int maxBatch = 1, int benchIterations = 0) =>
        StartAsync(new ServeOptions { Model = modelPath, MaxBatch = maxBatch, BenchIterations = benchIterations });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Grpc.Dispose();
        await Server.DisposeAsync();
    }
}
