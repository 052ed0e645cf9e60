using System.Diagnostics;
using System.Net.Http.Headers;
using ModelOperator.Runtime.Benchmarking;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// Sends the server's own inference endpoint a few dozen requests, JSON and binary, before it turns ready. A fresh
/// process runs its request path (Kestrel, routing, parsing, the batcher, the response writer) as unoptimised code
/// until the JIT has seen it enough; without this a new pod's first seconds of traffic are several times slower, and a
/// canary's first analysis interval measured that instead of the model. Warm-up requests are not counted in metrics.
/// </summary>
internal static class HttpWarmUp
{
    /// <summary>Requests of each encoding; past the JIT's tier-up threshold (30 calls) with some to spare.</summary>
    public const int RequestsPerEncoding = 40;

    /// <summary>The most time warm-up may take; a slow model sends fewer requests.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    /// <summary>Warms the path to <paramref name="model"/> at <paramref name="baseAddress"/>; returns how many requests were answered.</summary>
    public static async Task<int> RunAsync(Uri baseAddress, string name, OnnxModel model, IReadOnlyDictionary<string, long[]> shapes, CancellationToken ct)
    {
        var inputs = SyntheticInputs.Create(model.Inputs, batchSize: SyntheticInputs.EffectiveBatchSize(model, 1), shapes: shapes);
        var path = $"v2/models/{name}/infer";
        LoadRequest[] requests;
        try
        {
            requests = [InferRequestBodies.Json(path, inputs), InferRequestBodies.Binary(path, inputs, model.Outputs.Select(o => o.Name))];
        }
        finally
        {
            foreach (var input in inputs) input.Dispose();
        }
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = Budget };
        var clock = Stopwatch.StartNew();
        var answered = 0;
        for (var i = 0; i < RequestsPerEncoding && clock.Elapsed < Budget; i++)
            foreach (var request in requests)
            {
                using var content = new ByteArrayContent(request.Body);
                content.Headers.ContentType = new MediaTypeHeaderValue(request.ContentType);
                if (request.InferenceHeaderLength is { } length) content.Headers.Add(InferenceEndpoints.HeaderLengthHeader, length.ToString());
                using var response = await http.PostAsync(request.Path, content, ct);
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"warm-up request answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                answered++;
            }
        return answered;
    }
}
