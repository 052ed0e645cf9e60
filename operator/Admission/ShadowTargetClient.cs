using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Admission;

/// <summary>The shadow target the operator sets on a stable pod: the shadow revision's REST and gRPC addresses, the share copied and the per-copy timeout.</summary>
public sealed record ShadowTargetRequest(string Url, string? GrpcUrl, double Fraction, double TimeoutSeconds);

/// <summary>What a pod's management port answered: the target it now mirrors to (null: none), its latest disagreements, or the error.</summary>
public sealed record ShadowTargetState(ShadowTargetRequest? Target, IReadOnlyList<string> Examples, string? Error = null);

/// <summary>
/// Sets, reads and clears a runtime pod's shadow target on its management port (<c>podIP:8082/v2/_shadow</c>, issue 23).
/// Setting is idempotent, so it can be repeated every reconcile on every admitted stable pod (a pod started during the
/// phase then mirrors too); the answer echoes the target, so the operator knows the pod took it. Every failure (refused
/// target, pod not answering, timeout) comes back as <see cref="ShadowTargetState.Error"/>, never as an exception: the
/// pod is tried again on the next reconcile. 
/// </summary>
internal sealed class ShadowTargetClient(HttpClient http, int port = WellKnown.RuntimeManagementPort, TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(3);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Sets <paramref name="target"/> on the pod at <paramref name="podIp"/>.</summary>
    public Task<ShadowTargetState> SetAsync(string podIp, ShadowTargetRequest target, CancellationToken ct)
    {
        // The runtime refuses a field of the wrong type, null included: without a gRPC address the field is left out.
        var body = new JsonObject { ["url"] = target.Url, ["fraction"] = target.Fraction, ["timeoutSeconds"] = target.TimeoutSeconds };
        if (target.GrpcUrl is { } grpc) body["grpcUrl"] = grpc;
        return SendAsync(podIp, HttpMethod.Put, JsonContent.Create(body, options: Json), ct);
    }

    /// <summary>The pod's target and latest disagreements.</summary>
    public Task<ShadowTargetState> GetAsync(string podIp, CancellationToken ct) => SendAsync(podIp, HttpMethod.Get, null, ct);

    /// <summary>Stops the pod mirroring.</summary>
    public Task<ShadowTargetState> ClearAsync(string podIp, CancellationToken ct) => SendAsync(podIp, HttpMethod.Delete, null, ct);

    private async Task<ShadowTargetState> SendAsync(string podIp, HttpMethod method, HttpContent? content, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        var uri = new Uri($"http://{podIp}:{port}/v2/_shadow");
        try
        {
            using var request = new HttpRequestMessage(method, uri) { Content = content };
            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadFromJsonAsync<StateBody>(Json, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                return new ShadowTargetState(null, [], $"{method} {uri} answered {(int)response.StatusCode}: {body?.Error ?? response.ReasonPhrase}");
            var t = body?.Target;
            return new ShadowTargetState(
                // The runtime echoes a base address with its trailing slash ("http://10.1.0.1:8080/"): compared without it.
                t?.Url is { } url ? new ShadowTargetRequest(url.TrimEnd('/'), t.GrpcUrl?.TrimEnd('/'), t.Fraction, t.TimeoutSeconds) : null,
                (body?.Examples ?? []).Select(e => $"{e.RequestId}: '{e.Output}': {e.Why}").ToList());
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return new ShadowTargetState(null, [], $"{method} {uri} failed: {(e is OperationCanceledException ? $"no answer within {_timeout.TotalSeconds:0.#}s" : e.Message)}");
        }
    }

    private sealed record TargetBody(string? Url, string? GrpcUrl, double Fraction, double TimeoutSeconds);
    private sealed record ExampleBody(string? RequestId, string? Output, string? Why);
    private sealed record StateBody(TargetBody? Target, List<ExampleBody>? Examples, string? Error);
}
