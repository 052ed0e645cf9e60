using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Rollout;

namespace ModelOperator.Operator.Admission;

/// <summary>Reads a runtime pod's model metadata and on-node benchmark from its own HTTP endpoints on <c>podIP</c>.</summary>
internal sealed class PodReportReader(HttpClient http, int port)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The pod's signature; null when the pod does not answer (it is looked at again on the next reconcile).</summary>
    public async Task<ModelSignature?> SignatureAsync(string podIp, string model, CancellationToken ct)
    {
        var meta = await GetAsync<MetadataBody>(podIp, $"/v2/models/{Uri.EscapeDataString(model)}", ct).ConfigureAwait(false);
        return meta is null ? null : new ModelSignature(Tensors(meta.Inputs), Tensors(meta.Outputs));
    }

    /// <summary>The pod's benchmark and signature; null when either endpoint does not answer.</summary>
    public async Task<PodReport?> ReportAsync(string podIp, string node, string model, CancellationToken ct)
    {
        var signature = await SignatureAsync(podIp, model, ct).ConfigureAwait(false);
        var bench = await GetAsync<BenchmarkBody>(podIp, $"/v2/models/{Uri.EscapeDataString(model)}/benchmark", ct).ConfigureAwait(false);
        if (signature is null || bench is null) return null;
        var results = (bench.Results ?? []).Select(r => new BenchmarkResult
        {
            Node = r.Node ?? node, Device = r.Device, Provider = r.Provider, BatchSize = r.BatchSize,
            P50Ms = r.P50Ms, P95Ms = r.P95Ms, P99Ms = r.P99Ms, Throughput = r.Throughput, InputShapes = r.InputShapes,
        }).ToList();
        var source = bench.ModelSource is { Cache: { } cache } m
            ? new ModelSourceRecord
            {
                Cache = cache, BytesPulled = m.BytesPulled, Reason = m.Reason, Node = node,
                Startup = bench.Startup is { } s
                    ? new PodStartupRecord { ProcessSeconds = s.ProcessSeconds, FetchSeconds = s.FetchSeconds, LoadSeconds = s.LoadSeconds, BenchmarkSeconds = s.BenchmarkSeconds }
                    : null,
            }
            : null;
        return new PodReport(node, bench.Status ?? "unknown", results, bench.Error, signature, source);
    }

    private async Task<T?> GetAsync<T>(string podIp, string path, CancellationToken ct) where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var response = await http.GetAsync(new Uri($"http://{podIp}:{port}{path}"), timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return null;
            return await response.Content.ReadFromJsonAsync<T>(Json, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }

    private static List<TensorSignature> Tensors(List<TensorBody>? tensors) =>
        (tensors ?? []).Select(t => new TensorSignature(t.Name ?? "", t.Datatype ?? "", t.Shape ?? [])).ToList();

    private sealed record TensorBody(string? Name, string? Datatype, long[]? Shape);
    private sealed record MetadataBody(string? Name, List<TensorBody>? Inputs, List<TensorBody>? Outputs);
    private sealed record BenchmarkBody(string? Model, string? Status, List<ResultBody>? Results, string? Error, ModelSourceBody? ModelSource, StartupBody? Startup);
    private sealed record StartupBody(double? ProcessSeconds, double? FetchSeconds, double? LoadSeconds, double? BenchmarkSeconds);
    private sealed record ModelSourceBody(string? Cache, long? BytesPulled, string? Digest, string? Reason);
    private sealed record ResultBody(int BatchSize, double P50Ms, double P95Ms, double P99Ms, double Throughput, string? Provider, string? Device, string? Node,
        [property: JsonPropertyName("inputShapes")] string? InputShapes);
}
