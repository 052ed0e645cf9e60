using System.Diagnostics;
using System.Net;
using System.Text;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using ModelOperator.Operator.ScaleToZero;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// Scale to zero on the dev cluster: the operator, the activator as a pod of the built model-activator, real
/// model-runtime pods of the deep-mlp sample, every request through the model Service's cluster IP as a client sends it.
/// </summary>
public sealed class ScaleToZeroEndToEndTests(ITestOutputHelper output)
{
    private const string Name = "deep-mlp";
    private const int MaxHeld = 8;
    private static readonly TimeSpan PodStart = TimeSpan.FromSeconds(120);

    private static ModelDeployment Zeroable(Action<ModelDeploymentSpec>? edit = null) => DevClusterWithOperator.Model(Name, "deep-mlp", s =>
    {
        s.Replicas = new ReplicasSpec { Min = 0, Max = 1 };
        s.Autoscaling = new AutoscalingSpec
        {
            TargetMs = 1000, Window = "3s",
            ScaleToZero = new ScaleToZeroSpec { IdleAfter = "3s", MaxHeldRequests = MaxHeld, ColdStartTimeout = "60s" },
        };
        edit?.Invoke(s);
    });

    // Serves warm (the answer every later one must equal, and the warm p95 a cold start is compared with), then idles to zero pods.
    private async Task<(string Body, double WarmP95Ms)> ServeThenIdleToZeroAsync(DevClusterWithOperator env, Action<ModelDeploymentSpec>? edit = null)
    {
        await env.CreateAsync(Zeroable(edit));
        await Eventually.TrueAsync(async () => (await env.ReadyPodsAsync(Name)).Count == 1, "the first pod to be admitted and Ready", PodStart);
        var (body, p95) = await InferenceLoad.WarmP95Async(await env.ServingInferUriAsync(Name));

        await Eventually.TrueAsync(async () => env.Model(Name).Status?.Phase == Phases.ScaledToZero && (await env.PodsAsync(Name)).Count == 0,
            "the idle model to go to zero pods", TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(async () => await env.ActivatorSliceAsync(Name) is not null, "the model's Service to route to the activator", TimeSpan.FromSeconds(10));
        return (body, p95);
    }

    [Fact]
    public async Task AnIdleModelGoesToZero_AndABurstAtZeroIsHeld_AllAnsweredCorrectly_BeyondTheLimit503WithRetryAfter()
    {
        await using var env = await DevClusterWithOperator.StartWithActivatorAsync(output);
        var (expected, warmP95Ms) = await ServeThenIdleToZeroAsync(env);
        var md = env.Model(Name);
        Assert.Equal(("True", "ScaledToZero"), md.Status!.Conditions!.Where(c => c.Type == "Ready").Select(c => (c.Status, c.Reason)).Single());
        Assert.Contains(await env.EventsAsync(Name), e => e.Reason == "ScaledToZero" && e.Message.Contains("no requests", StringComparison.OrdinalIgnoreCase));

        var url = new Uri(await env.ServiceUrlAsync(Name), $"v2/models/{Name}/infer");
        var grpc = new Uri($"http://{url.Host}:{WellKnown.RuntimeGrpcPort}/");
        var before = await env.ActivatorMetricsAsync();
        var clock = Stopwatch.StartNew();
        // Every way a client asks, all held together: OIP JSON and binary through the http port, gRPC ModelInfer (raw
        // tensor contents) and ModelReady through the grpc port (HTTP/2).
        var kinds = new[] { "json", "binary", "grpc-infer", "grpc-ready" };
        var held = Enumerable.Range(0, MaxHeld).Select(async i =>
        {
            var kind = kinds[i % kinds.Length];
            var answer = kind switch
            {
                "json" => await PostAsync(url),
                "binary" => await PostBinaryAsync(url),
                "grpc-infer" => await GrpcModelInferAsync(grpc),
                _ => await GrpcModelReadyAsync(grpc),
            };
            return (Answer: answer, At: clock.Elapsed, Kind: kind);
        }).ToList();
        // The held ones reach the activator first; the ones beyond the limit get 503 at once, not after the cold start.
        await Eventually.TrueAsync(async () => (await env.ActivatorMetricsAsync()).Contains($"modelactivator_held_requests{{namespace=\"default\",model=\"{Name}\"}} {MaxHeld}"),
            $"the activator to hold {MaxHeld} requests", TimeSpan.FromSeconds(20));
        var beyond = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostAsync(url)));
        var timed = await Task.WhenAll(held);
        var firstAnswer = timed.Min(t => t.At);
        var lastAnswer = timed.Max(t => t.At);
        var outputs = OutputsOf(expected);

        Assert.All(beyond, r => Assert.Equal((HttpStatusCode.ServiceUnavailable, true), (r.Status, r.RetryAfter is > 0)));
        Assert.All(beyond, r => Assert.Contains("maxHeldRequests", r.Body));
        Assert.All(timed.Where(t => t.Kind == "json"), t => Assert.Equal((HttpStatusCode.OK, expected), (t.Answer.Status, t.Answer.Body)));
        // The same row as binary tensor data: the same outputs as the warm JSON answer.
        Assert.All(timed.Where(t => t.Kind == "binary"), t => Assert.Equal((HttpStatusCode.OK, outputs), (t.Answer.Status, OutputsOf(t.Answer.Body))));
        // grpc-status 0, and raw_output_contents that are the warm JSON answer's outputs, float for float.
        Assert.All(timed.Where(t => t.Kind == "grpc-infer"), t => Assert.Equal((HttpStatusCode.OK, "0", outputs), (t.Answer.Status, t.Answer.GrpcStatus, t.Answer.Outputs)));
        // grpc-status 0 and ModelReadyResponse { ready: true } (field 1, varint 1) in one length-prefixed message.
        Assert.All(timed.Where(t => t.Kind == "grpc-ready"), t => Assert.Equal((HttpStatusCode.OK, "0", "00-00-00-00-02-08-01"), (t.Answer.Status, t.Answer.GrpcStatus, t.Answer.Body)));
        Assert.Equal([2, 2, 2, 2], kinds.Select(k => timed.Count(t => t.Kind == k)));
        output.WriteLine($"cold start: first of {MaxHeld} held requests answered {firstAnswer.TotalSeconds:0.00} s after the first request at zero, the last {lastAnswer.TotalSeconds:0.00} s; warm p95 {warmP95Ms:0.0} ms");

        var woken = await Eventually.ValueAsync(async () => (await env.ModelAsync(Name)).Status?.ColdStart, "status.coldStart", TimeSpan.FromSeconds(20));
        output.WriteLine($"status.coldStart: {woken.Seconds} s (schedule {woken.ScheduleSeconds}, pull {woken.PullSeconds}, load+benchmark [process {woken.ProcessSeconds}, fetch {woken.FetchSeconds}, load {woken.LoadSeconds}, benchmark {woken.BenchmarkSeconds}] {woken.LoadAndBenchmarkSeconds}, admission {woken.AdmissionSeconds})");
        Assert.InRange(woken.Seconds!.Value, 0, firstAnswer.TotalSeconds + 1);
        // With a ready pod the activator leaves the path: no extra hop at steady state.
        await Eventually.TrueAsync(async () => await env.ActivatorSliceAsync(Name) is null, "the activator's slice to go once a pod is ready", TimeSpan.FromSeconds(10));
        var after = await env.ActivatorMetricsAsync();
        double Increase(string metric) => Value(after, metric) - Value(before, metric);
        output.WriteLine(after);
        Assert.Equal((1, 3, MaxHeld), (Increase("modelactivator_cold_starts_total"), Increase("modelactivator_rejected_total"), Increase("modelactivator_forwarded_total")));
    }

    [Fact]
    public async Task ASpecChangeAtZero_RollsOutAtZero_AndAColdStartThatNeverBecomesReady_Answers503AfterTheTimeout_AndSaysWhy()
    {
        await using var env = await DevClusterWithOperator.StartWithActivatorAsync(output);
        await ServeThenIdleToZeroAsync(env);
        var before = env.Model(Name).Status!.StableRevision;

        // A model file that is not there: the new revision's pod can never load it.
        await env.PatchSpecAsync(Name, new { model = new { uri = "file:///nonexistent/deep-mlp.onnx" }, autoscaling = new { scaleToZero = new { coldStartTimeout = "8s" } } });
        await Eventually.TrueAsync(() => env.Model(Name).Status is { StableRevision: { } r, Phase: Phases.ScaledToZero } && r != before,
            "the new revision to become stable at zero", TimeSpan.FromSeconds(20));
        Assert.Empty(await env.PodsAsync(Name));
        await Eventually.TrueAsync(async () => await env.ActivatorSliceAsync(Name) is not null, "the Service to still route to the activator", TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        var answer = await PostAsync(new Uri(await env.ServiceUrlAsync(Name), $"v2/models/{Name}/infer"));
        var waited = clock.Elapsed;
        output.WriteLine($"503 after {waited.TotalSeconds:0.0} s: {answer.Body}");
        if (waited.TotalSeconds is < 7 or > 30) output.WriteLine(await env.ActivatorLogsAsync()); // what the activator saw, for the failure below

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.True(answer.RetryAfter is > 0, "503 carries Retry-After");
        Assert.Contains("coldStartTimeout", answer.Body);
        Assert.InRange(waited.TotalSeconds, 7, 30);
        await Eventually.TrueAsync(() => env.Model(Name).Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "False", Reason: ScaleToZeroStatus.ColdStartTimedOut }) == true,
            "Ready=False ColdStartTimedOut", TimeSpan.FromSeconds(20));
        var ready = env.Model(Name).Status!.Conditions!.Single(c => c.Type == "Ready");
        output.WriteLine(ready.Message);
        Assert.Contains("coldStartTimeout 8s", ready.Message);
        Assert.Contains($"modelactivator_timeouts_total{{namespace=\"default\",model=\"{Name}\"}} 1", await env.ActivatorMetricsAsync());
    }

    [Fact]
    public async Task TheOperatorStoppedWhileRequestsAreHeld_LosesNone_TheDemandWaitsForTheNextLeader()
    {
        await using var env = await DevClusterWithOperator.StartWithActivatorAsync(output);
        var (expected, _) = await ServeThenIdleToZeroAsync(env);
        await env.StopOperatorAsync();

        var url = new Uri(await env.ServiceUrlAsync(Name), $"v2/models/{Name}/infer");
        var held = Enumerable.Range(0, 3).Select(_ => PostAsync(url)).ToList();
        // The demand is an annotation on the ModelDeployment, not a call to the operator: it is there with no operator running.
        await Eventually.TrueAsync(() => Demand.At(env.Model(Name)) is not null && Demand.SinceLastScale(env.Model(Name)) is not null,
            "the activator's demand annotation", TimeSpan.FromSeconds(10));
        Assert.Empty(await env.PodsAsync(Name));
        Assert.All(held, t => Assert.False(t.IsCompleted));

        await env.StartOperatorAsync();
        var answers = await Task.WhenAll(held);

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, expected), (a.Status, a.Body)));
    }

    [Fact]
    public async Task TheOperatorRestartedWhileRequestsAreHeld_MidColdStart_LosesNone()
    {
        await using var env = await DevClusterWithOperator.StartWithActivatorAsync(output);
        // A longer on-node benchmark keeps the woken pod from being admitted before the operator is stopped.
        var (expected, _) = await ServeThenIdleToZeroAsync(env, s => s.Benchmark = new BenchmarkSpec { Iterations = 20000 });
        var url = new Uri(await env.ServiceUrlAsync(Name), $"v2/models/{Name}/infer");
        var grpc = new Uri($"http://{url.Host}:{WellKnown.RuntimeGrpcPort}/");

        var held = Enumerable.Range(0, 4).Select(i => i % 2 == 0 ? PostAsync(url) : GrpcModelInferAsync(grpc)).ToList();
        // The operator has acted on the demand (the woken pod exists) when it goes away; the pod is not admitted yet.
        await Eventually.TrueAsync(async () => (await env.PodsAsync(Name)).Count == 1, "the operator to wake a pod for the held requests", TimeSpan.FromSeconds(20));
        await env.StopOperatorAsync();
        Assert.Empty(await env.ReadyPodsAsync(Name));
        Assert.All(held, t => Assert.False(t.IsCompleted, "a held request was answered before the operator stopped, so this test did not restart it mid cold start"));

        await env.StartOperatorAsync();
        var answers = await Task.WhenAll(held);

        var outputs = OutputsOf(expected);
        Assert.All(answers.Where((_, i) => i % 2 == 0), a => Assert.Equal((HttpStatusCode.OK, expected), (a.Status, a.Body)));
        Assert.All(answers.Where((_, i) => i % 2 == 1), a => Assert.Equal((HttpStatusCode.OK, "0", outputs), (a.Status, a.GrpcStatus, a.Outputs)));
        Assert.Single(await env.PodsAsync(Name)); // the new leader went on with the same pod rather than starting another
    }

    // One series of the activator's metrics for this model; 0 when it has none yet.
    private static double Value(string metrics, string name) =>
        System.Text.RegularExpressions.Regex.Match(metrics, $@"^{name}\{{namespace=""default"",model=""{Name}""\}} ([0-9.e+]+)$", System.Text.RegularExpressions.RegexOptions.Multiline) is { Success: true } m
            ? double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private sealed record Answer(HttpStatusCode Status, string Body, int? RetryAfter, string? GrpcStatus = null, string? Outputs = null);

    // The deep-mlp row of InferenceLoad.Body as little-endian FP32 bytes.
    private static readonly byte[] Row = Enumerable.Range(1, 16).SelectMany(i => BitConverter.GetBytes((float)(i / 10.0))).ToArray();

    // The first output's values of an OIP JSON answer, as text to compare ("0.12,3.4").
    private static string OutputsOf(string json) =>
        string.Join(',', System.Text.Json.Nodes.JsonNode.Parse(json)!["outputs"]![0]!["data"]!.AsArray().Select(v => v!.GetValue<float>().ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

    // The OIP v2 binary tensor extension: the JSON header, then the input's bytes.
    private static async Task<Answer> PostBinaryAsync(Uri url)
    {
        var header = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"features","shape":[1,16],"datatype":"FP32","parameters":{"binary_data_size":64}}]}""");
        using var content = new ByteArrayContent(header.Concat(Row).ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        using var response = await http.PostAsync(url, content);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(), null);
    }

    // ModelInferRequest { model_name, inputs: [{ name: features, datatype: FP32, shape: [1, 16] }], raw_input_contents: [Row] }
    // by hand; the answer's first raw_output_contents (ModelInferResponse field 6) read back as floats.
    private static async Task<Answer> GrpcModelInferAsync(Uri grpc)
    {
        static byte[] Field(int number, byte[] value) => [(byte)(number << 3 | 2), .. Varint(value.Length), .. value];
        static byte[] Varint(int n) { var bytes = new List<byte>(); do { var b = (byte)(n & 0x7F); n >>= 7; bytes.Add(n > 0 ? (byte)(b | 0x80) : b); } while (n > 0); return [.. bytes]; }
        var tensor = Field(1, Encoding.UTF8.GetBytes("features")).Concat(Field(2, Encoding.UTF8.GetBytes("FP32"))).Concat(Field(3, [1, 16])).ToArray();
        var message = Field(1, Encoding.UTF8.GetBytes(Name)).Concat(Field(5, tensor)).Concat(Field(7, Row)).ToArray();
        var (status, body, grpcStatus) = await GrpcCallAsync(new Uri(grpc, "inference.GRPCInferenceService/ModelInfer"), message);
        string? outputs = null;
        if (body.Length > 5 && RawOutput(body.AsSpan(5)) is { } raw)
            outputs = string.Join(',', Enumerable.Range(0, raw.Length / 4).Select(i => BitConverter.ToSingle(raw, i * 4).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        return new Answer(status, BitConverter.ToString(body), null, grpcStatus, outputs);
    }

    // The first length-delimited field 6 of a protobuf message; other fields are skipped by wire type.
    private static byte[]? RawOutput(ReadOnlySpan<byte> message)
    {
        var at = 0;
        int ReadVarint(ReadOnlySpan<byte> m) { int v = 0, shift = 0; byte b; do { b = m[at++]; v |= (b & 0x7F) << shift; shift += 7; } while ((b & 0x80) != 0); return v; }
        while (at < message.Length)
        {
            var tag = ReadVarint(message);
            switch (tag & 7)
            {
                case 0: ReadVarint(message); break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    var length = ReadVarint(message);
                    if (tag >> 3 == 6) return message.Slice(at, length).ToArray();
                    at += length;
                    break;
                default: return null;
            }
        }
        return null;
    }

    // A gRPC call without generated stubs: ModelReadyRequest { name } framed as gRPC over cleartext HTTP/2.
    private static async Task<Answer> GrpcModelReadyAsync(Uri grpc)
    {
        var name = Encoding.UTF8.GetBytes(Name);
        var (status, body, grpcStatus) = await GrpcCallAsync(new Uri(grpc, "inference.GRPCInferenceService/ModelReady"), [0x0A, (byte)name.Length, .. name]);
        return new Answer(status, BitConverter.ToString(body), null, grpcStatus);
    }

    // One unary gRPC call: the message length-prefixed, HTTP/2 without TLS; the body and grpc-status back.
    private static async Task<(HttpStatusCode Status, byte[] Body, string? GrpcStatus)> GrpcCallAsync(Uri url, byte[] message)
    {
        var length = BitConverter.GetBytes(message.Length);
        if (BitConverter.IsLittleEndian) Array.Reverse(length);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, .. length, .. message]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.First()
            : response.Headers.TryGetValues("grpc-status", out var early) ? early.First() : null;
        return (response.StatusCode, body, status);
    }

    private static async Task<Answer> PostAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        using var response = await http.PostAsync(url, new StringContent(InferenceLoad.Body, Encoding.UTF8, "application/json"));
        var retry = response.Headers.RetryAfter?.Delta is { } delta ? (int?)delta.TotalSeconds : null;
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(), retry);
    }
}
