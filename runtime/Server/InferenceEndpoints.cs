using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;
using ModelOperator.Runtime.Shadow;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// <c>POST /v2/models/{name}[/versions/{v}]/infer</c>: JSON or Triton's binary tensor extension in, the same way out.
/// The hot path reads the body into a pooled buffer, decodes tensors without a DOM and writes the response from one buffer.
/// </summary>
internal static class InferenceEndpoints
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    public static void MapInference(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v2/models/{name}/infer",
            (HttpContext c, ModelRegistry r, ServeOptions o, InflightBytes g, ShadowMirror m, string name) => InferAsync(c, r.Find(name, null), o, g, m));
        app.MapPost("/v2/models/{name}/versions/{version}/infer",
            (HttpContext c, ModelRegistry r, ServeOptions o, InflightBytes g, ShadowMirror m, string name, string version) => InferAsync(c, r.Find(name, version), o, g, m));
    }

    private static async Task InferAsync(HttpContext context, ServedModel served, ServeOptions options, InflightBytes inflight, ShadowMirror mirror)
    {
        if (!served.Serving || served.Model is not { } model || served.Runner is not { } runner)
            throw ProtocolException.Unavailable($"model '{served.Name}' is not ready ({served.State.ToString().ToLowerInvariant()})");
        var cancellation = context.RequestAborted;
        InferRequest request;
        using var lease = new InflightLease(inflight);
        // Only a sampled request of a pod with a shadow target keeps a copy of its body (mirrored after the answer).
        var shadow = mirror.Sample();
        byte[]? mirroredBody = null;
        served.BeginArrival();
        try
        {
            using var body = await RequestBody.ReadAsync(context.Request, options.MaxBodyBytes, cancellation, lease);
            var headerLength = HeaderLength(context.Request, body.Length);
            request = InferRequestReader.Read(body.Span[..headerLength], body.Span[headerLength..], model, options.Limits);
            if (shadow is not null) mirroredBody = body.Span.ToArray();
        }
        finally { served.EndArrival(); }
        using (request)
        {
            var outputs = await runner.RunAsync(request, cancellation);
            try
            {
                using var buffer = new PooledBufferWriter();
                var jsonLength = InferResponseWriter.Write(buffer, served.Name, served.Version, request.Id, request.Outputs, outputs);
                var response = context.Response;
                if (jsonLength is { } n)
                {
                    response.Headers[HeaderLengthHeader] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    response.ContentType = "application/octet-stream";
                }
                else response.ContentType = "application/json";
                response.ContentLength = buffer.WrittenCount;
                await response.Body.WriteAsync(buffer.WrittenMemory, cancellation);
                if (shadow is not null) Mirror(context, served, request, outputs, mirroredBody!, shadow, mirror);
            }
            finally
            {
                foreach (var o in outputs) o.Dispose();
            }
        }
    }

    // After the answer is written: the stable's outputs are copied (their buffers go back to the pool) and the copy
    // queued; sending and comparing happen on the mirror's workers.
    private static void Mirror(HttpContext context, ServedModel served, InferRequest request, TensorData[] outputs, byte[] body, ShadowTarget target, ShadowMirror mirror)
    {
        var answer = outputs.Select(AnswerTensors.From).ToList();
        var headers = context.Request.Headers;
        mirror.Offer(new MirrorCopy(served.Name, context.Request.Path + context.Request.QueryString, request.Id ?? mirror.NextId(), body,
            headers.ContentType.ToString() is { Length: > 0 } type ? type : null,
            headers.TryGetValue(HeaderLengthHeader, out var length) ? length.ToString() : null, answer, target));
    }

    private static int HeaderLength(HttpRequest request, int bodyLength)
    {
        if (!request.Headers.TryGetValue(HeaderLengthHeader, out var raw)) return bodyLength;
        if (!int.TryParse(raw, out var length) || length < 0 || length > bodyLength)
            throw ProtocolException.BadRequest($"{HeaderLengthHeader} must be an integer between 0 and the body length {bodyLength}, got '{ClientText.Cut(raw)}'");
        return length;
    }
}
