using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Server;

/// <summary>
/// Message framing as RFC 9112 §6 asks of a server that may sit behind proxies: a request with both
/// <c>Transfer-Encoding</c> and <c>Content-Length</c> is a 400 and the connection is closed (a proxy that trusted the
/// length would see a different request boundary than this server: request smuggling), and a transfer coding other than
/// <c>chunked</c> (<c>gzip, chunked</c> on an uncompressed body) is a 501, rather than the body being read as if it were
/// not there. Kestrel itself accepts both and reads the body as chunked.
/// </summary>
internal sealed class HttpFramingMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var transferEncoding = request.Headers.TransferEncoding;
        if (transferEncoding.Count == 0) return next(context);
        foreach (var value in transferEncoding)
            foreach (var coding in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (!coding.Equals("chunked", StringComparison.OrdinalIgnoreCase))
                    throw new ProtocolException(StatusCodes.Status501NotImplemented,
                        $"transfer coding '{ClientText.Cut(coding)}' is not implemented; send the body with Transfer-Encoding: chunked alone, or with Content-Length") { CloseConnection = true };
        // Kestrel moves the Content-Length of such a request to X-Content-Length before the application sees it.
        if (request.Headers.ContainsKey("Content-Length") || request.Headers.ContainsKey("X-Content-Length"))
            throw new ProtocolException(StatusCodes.Status400BadRequest,
                "the request has both Transfer-Encoding and Content-Length; send one of them (RFC 9112 section 6.3)") { CloseConnection = true };
        return next(context);
    }
}
