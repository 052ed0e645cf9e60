using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Grpc;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Cli;

/// <summary>
/// <c>model-runtime infer --grpc</c>: reads a served model's metadata over OIP v2 gRPC, sends made-up inputs as raw
/// contents (what Triton's and KServe's clients send) and, when every datatype has a typed field, as typed contents,
/// prints what came back, then times a run of each.
/// </summary>
internal static class GrpcInferClient
{
    public static async Task<int> RunAsync(Uri address, string name, int batch, int requests, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        try
        {
            var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = name }, cancellationToken: cancellationToken);
            var specs = metadata.Inputs.Select(ToSpec).ToList();
            var inputs = SyntheticInputs.Create(specs, batch);
            Console.WriteLine($"Model {name} over gRPC at {address}: inputs {string.Join("; ", specs.Select(s => $"{s.Name} {s.Datatype} {TensorSpec.Format(s.Shape)}"))}");
            var requestsByKind = new List<(string Label, ModelInferRequest Request)> { ("raw", GrpcInferRequests.Raw(name, inputs)) };
            if (inputs.All(i => GrpcContents.HasTypedField(i.Datatype))) requestsByKind.Add(("typed", GrpcInferRequests.Typed(name, inputs)));
            foreach (var t in inputs) t.Dispose();

            foreach (var (label, request) in requestsByKind)
            {
                var clock = Stopwatch.StartNew();
                var response = await client.ModelInferAsync(request, cancellationToken: cancellationToken);
                Console.WriteLine($"\n{label} request ({request.CalculateSize():N0} bytes) -> OK in {clock.Elapsed.TotalMilliseconds:F1} ms ({response.CalculateSize():N0} bytes)");
                Print(response);
            }
            if (requests > 0)
            {
                Console.WriteLine($"\nTiming {requests} sequential requests of each kind:");
                foreach (var (label, request) in requestsByKind)
                    Console.WriteLine($"  {label,-7} {await TimeAsync(client, request, requests, cancellationToken)}");
            }
            return 0;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is { } cause)
        {
            while (cause.InnerException is { } inner && cause is not HttpRequestException) cause = inner;
            Console.Error.WriteLine($"model-runtime infer: cannot reach the gRPC server at {address} ({FailureMessage.Of(cause)}); " +
                "is it running, and is --url its gRPC port (serve --grpc-port, default 8081)?");
            return 1;
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine($"model-runtime infer: the gRPC server at {address} answered {e.StatusCode}: {e.Status.Detail}");
            return 1;
        }
    }

    private static void Print(ModelInferResponse response)
    {
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var output = response.Outputs[i];
            string values;
            if (response.RawOutputContents.Count > i && Datatype.TryParse(output.Datatype, out var datatype))
            {
                using var tensor = BinaryTensorCodec.Read(response.RawOutputContents[i].Span, output.Name, datatype, output.Shape.ToArray());
                var buffer = new MemoryStream();
                using (var writer = new System.Text.Json.Utf8JsonWriter(buffer)) JsonTensorDataWriter.Write(writer, tensor);
                values = System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + " (decoded from raw_output_contents)";
            }
            else values = output.Contents?.ToString() ?? "";
            if (values.Length > 160) values = values[..160] + "…";
            Console.WriteLine($"  {output.Name} {output.Datatype} {TensorSpec.Format(output.Shape.ToArray())}: {values}");
        }
    }

    private static async Task<string> TimeAsync(GRPCInferenceService.GRPCInferenceServiceClient client, ModelInferRequest request, int count,
        CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.ModelInferAsync(request, cancellationToken: cancellationToken);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(latencies);
        return $"p50 {ModelBenchmark.Percentile(latencies, 0.5):F2} ms  p99 {ModelBenchmark.Percentile(latencies, 0.99):F2} ms  {count / total.Elapsed.TotalSeconds:F0} requests/s";
    }

    private static TensorSpec ToSpec(ModelMetadataResponse.Types.TensorMetadata input)
    {
        if (!Datatype.TryParse(input.Datatype, out var datatype)) throw new CliFailureException($"the server reports an unknown datatype '{input.Datatype}'");
        return new TensorSpec(input.Name, datatype, input.Shape.ToArray());
    }
}
