using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Cli;

/// <summary>
/// <c>model-runtime infer</c>: a small OIP v2 client. It reads a served model's metadata, makes inputs that fit it, sends
/// one JSON and one binary request, prints what came back, then times a run of each.
/// </summary>
internal sealed class InferCommand : Command
{
    private readonly Option<string> _url = CliOptions.Text("--url", "The server's address (default http://127.0.0.1:8080, with --grpc http://127.0.0.1:8081)", "URL");
    private readonly Option<string> _name = CliOptions.Text("--name", "The served model's name", "NAME", required: true);
    private readonly Option<int> _batch = CliOptions.Int("--batch", "Rows per request", 1, 1, 4096);
    private readonly Option<int> _requests = CliOptions.Int("--requests", "Sequential requests timed of each kind; 0 skips the timing", 100, 0, 10_000_000);
    private readonly Option<bool> _grpc = CliOptions.Flag("--grpc", "Use OIP v2 over gRPC (raw and typed contents) instead of REST (JSON and binary)");

    public InferCommand() : base("infer", "Send made-up inputs that fit a served model, print what came back, then time a run of each kind")
    {
        foreach (var option in new Option[] { _url, _name, _batch, _requests, _grpc }) Options.Add(option);
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var grpc = result.GetValue(_grpc);
        var rawUrl = result.GetValue(_url) ?? (grpc ? "http://127.0.0.1:8081/" : "http://127.0.0.1:8080/");
        if (!Uri.TryCreate(rawUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new CliFailureException($"--url must be an http:// or https:// URL of a server, got '{rawUrl}'");
        var name = result.GetRequiredValue(_name);
        var batch = result.GetValue(_batch);
        var requests = result.GetValue(_requests);
        if (grpc) return await GrpcInferClient.RunAsync(url, name, batch, requests, cancellationToken);

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var metadataResponse = await http.GetAsync($"v2/models/{name}", cancellationToken);
        var metadataText = await metadataResponse.Content.ReadAsStringAsync(cancellationToken);
        if (!metadataResponse.IsSuccessStatusCode)
        {
            throw new CliFailureException($"GET /v2/models/{name} answered {(int)metadataResponse.StatusCode}: {metadataText}");
        }
        var metadata = JsonNode.Parse(metadataText)!;
        var specs = metadata["inputs"]!.AsArray().Select(ToSpec).ToList();
        var outputs = metadata["outputs"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).ToList();
        var inputs = SyntheticInputs.Create(specs, batch);
        var path = $"v2/models/{name}/infer";
        var json = InferRequestBodies.Json(path, inputs);
        var binary = InferRequestBodies.Binary(path, inputs, outputs);
        Console.WriteLine($"Model {name}: inputs {string.Join("; ", specs.Select(s => $"{s.Name} {s.Datatype} {TensorSpec.Format(s.Shape)}"))}");

        foreach (var (label, request) in new[] { ("JSON", json), ("binary", binary) })
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(ToMessage(request), cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            Console.WriteLine($"\n{label} request ({request.Body.Length:N0} bytes) -> {(int)response.StatusCode} in {clock.Elapsed.TotalMilliseconds:F1} ms ({body.Length:N0} bytes)");
            if (!response.IsSuccessStatusCode)
                throw new CliFailureException($"the {label} request to POST /{request.Path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
            PrintOutputs(response, body);
        }

        if (requests > 0)
        {
            Console.WriteLine($"\nTiming {requests} sequential requests of each kind:");
            foreach (var (label, request) in new[] { ("JSON", json), ("binary", binary) })
                Console.WriteLine($"  {label,-7} {await TimeAsync(http, request, requests, cancellationToken)}");
        }
        foreach (var t in inputs) t.Dispose();
        return 0;
    }

    private static async Task<string> TimeAsync(HttpClient http, LoadRequest request, int count, CancellationToken cancellationToken)
    {
        var latencies = new double[count];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(ToMessage(request), cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            response.EnsureSuccessStatusCode();
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(latencies);
        return $"p50 {ModelBenchmark.Percentile(latencies, 0.5):F2} ms  p99 {ModelBenchmark.Percentile(latencies, 0.99):F2} ms  {count / total.Elapsed.TotalSeconds:F0} requests/s";
    }

    private static HttpRequestMessage ToMessage(LoadRequest request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, request.Path) { Content = new ByteArrayContent(request.Body) };
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(request.ContentType);
        if (request.InferenceHeaderLength is { } n) message.Headers.Add(InferenceHeader, n.ToString());
        return message;
    }

    private const string InferenceHeader = "Inference-Header-Content-Length";

    private static void PrintOutputs(HttpResponseMessage response, byte[] body)
    {
        var headerLength = response.Headers.TryGetValues(InferenceHeader, out var v) ? int.Parse(v.First()) : body.Length;
        var header = JsonNode.Parse(body.AsSpan(0, headerLength))!;
        var offset = headerLength;
        foreach (var output in header["outputs"]!.AsArray())
        {
            var name = output!["name"]!.GetValue<string>();
            var datatypeName = output["datatype"]!.GetValue<string>();
            var shape = output["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            string values;
            if (output["parameters"]?["binary_data_size"] is { } size && Datatype.TryParse(datatypeName, out var datatype))
            {
                var bytes = body.AsSpan(offset, size.GetValue<int>());
                offset += bytes.Length;
                using var tensor = BinaryTensorCodec.Read(bytes, name, datatype, shape);
                var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer)) JsonTensorDataWriter.Write(writer, tensor);
                values = Encoding.UTF8.GetString(buffer.ToArray()) + " (decoded from the binary section)";
            }
            else values = output["data"]!.ToJsonString();
            if (values.Length > 160) values = values[..160] + "…";
            Console.WriteLine($"  {name} {datatypeName} {TensorSpec.Format(shape)}: {values}");
        }
    }

    private static TensorSpec ToSpec(JsonNode? input)
    {
        var datatypeName = input!["datatype"]!.GetValue<string>();
        if (!Datatype.TryParse(datatypeName, out var datatype)) throw new CliFailureException($"the server reports an unknown datatype '{datatypeName}'");
        return new TensorSpec(input["name"]!.GetValue<string>(), datatype, input["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray());
    }
}
