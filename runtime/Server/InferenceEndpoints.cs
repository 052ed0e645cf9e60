using ModelOperator.Runtime.Protocol;

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
        app.MapPost("/v2/models/{name}/infer", (HttpContext c, ModelRegistry r, ServeOptions o, InflightBytes g, string name) => InferAsync(c, r.Find(name, null), o, g));
        app.MapPost("/v2/models/{name}/versions/{version}/infer",
            (HttpContext c, ModelRegistry r, ServeOptions o, InflightBytes g, string name, string version) => InferAsync(c, r.Find(name, version), o, g));
    }

    private static async Task InferAsync(HttpContext context, ServedModel served, ServeOptions options, InflightBytes inflight)
    {
        if (!served.Serving || served.Model is not { } model || served.Runner is not { } runner)
            throw ProtocolException.Unavailable($"model '{served.Name}' is not ready ({served.State.ToString().ToLowerInvariant()})");
        var cancellation = context.RequestAborted;
        InferRequest request;
        using var lease = new InflightLease(inflight);
        served.BeginArrival();
        try
        {
            using var body = await RequestBody.ReadAsync(context.Request, options.MaxBodyBytes, cancellation, lease);
            var headerLength = HeaderLength(context.Request, body.Length);
            request = InferRequestReader.Read(body.Span[..headerLength], body.Span[headerLength..], model, options.Limits);
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
            }
            finally
            {
                foreach (var o in outputs) o.Dispose();
            }
        }
    }

    private static int HeaderLength(HttpRequest request, int bodyLength)
    {
        if (!request.Headers.TryGetValue(HeaderLengthHeader, out var raw)) return bodyLength;
        if (!int.TryParse(raw, out var length) || length < 0 || length > bodyLength)
            throw ProtocolException.BadRequest($"{HeaderLengthHeader} must be an integer between 0 and the body length {bodyLength}, got '{ClientText.Cut(raw)}'");
        return length;
    }
}
