using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.PodLogs;

/// <summary>
/// <c>GET /api/v1/namespaces/{ns}/pods/{name}/log</c>: checks the pod and container as the API server does, then
/// hands the request to the registered <see cref="IPodLogSource"/>. Runs before the resource dispatcher, which has
/// no streaming text subresources.
/// </summary>
internal sealed partial class PodLogEndpoint(ObjectStore store, Func<IPodLogSource?> source)
{
    [GeneratedRegex("^/api/v1/namespaces/(?<ns>[^/]+)/pods/(?<name>[^/]+)/log/?$")]
    private static partial Regex LogPath();

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var match = LogPath().Match(http.Request.Path.Value ?? "");
        if (!match.Success || http.Request.Method != "GET") { await next(http); return; }
        var (ns, name) = (match.Groups["ns"].Value, match.Groups["name"].Value);
        try
        {
            var request = Resolve(http.Request.Query, ns, name);
            var logs = source() ?? throw new ApiException(400, "BadRequest", $"pod {name} has no kubelet serving logs (no node simulator runs)");
            http.Response.ContentType = "text/plain";
            http.Response.StatusCode = 200;
            await logs.StreamAsync(request, new FlushingStream(http.Response.Body), http.RequestAborted);
        }
        catch (PodLogException e) when (!http.Response.HasStarted)
        {
            await JsonResponse.WriteAsync(http, 400, StatusBody.Failure(400, "BadRequest", e.Message));
        }
        catch (ApiException e) when (!http.Response.HasStarted)
        {
            await JsonResponse.WriteAsync(http, e.Code, e.ToStatus());
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested) { }
    }

    private PodLogRequest Resolve(IQueryCollection query, string ns, string name)
    {
        var pod = PodSubresourceQuery.Pod(store, ns, name);
        var container = PodSubresourceQuery.Container(pod, query, name);
        return new PodLogRequest(ns, name, ObjectMeta.Uid(pod), container, PodSubresourceQuery.IsTrue(query["follow"]), PodSubresourceQuery.IsTrue(query["previous"]),
            Positive(query, "tailLines"), Positive(query, "limitBytes"), PodSubresourceQuery.IsTrue(query["timestamps"]));
    }

    private static long? Positive(IQueryCollection query, string key) =>
        query[key].ToString() is { Length: > 0 } text
            ? long.TryParse(text, out var n) && n >= 0 ? n : throw new ApiException(400, "BadRequest", $"{key} must be a non-negative integer, got \"{text}\"")
            : null;

    /// <summary>Flushes after every write so that <c>kubectl logs -f</c> sees each line as it is printed.</summary>
    private sealed class FlushingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            await inner.WriteAsync(buffer, ct);
            await inner.FlushAsync(ct);
        }
    }
}
