using Microsoft.AspNetCore.Http;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>
/// A loopback HTTP proxy in front of the real registry that answers chosen requests with a 500 instead of forwarding
/// them, and records every request it saw; the registry behind it stays the real one.
/// </summary>
internal sealed class FaultInjectingProxy : IAsyncDisposable
{
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly List<string> _requests = [];
    private LoopbackServer? _server;
    private int _failuresLeft;

    public string Host => _server!.Host;

    /// <summary>"METHOD path -> status" for every request, in order.</summary>
    public IReadOnlyList<string> Requests { get { lock (_requests) return [.. _requests]; } }

    public static async Task<FaultInjectingProxy> StartAsync(string upstreamHost, int failFirst)
    {
        var proxy = new FaultInjectingProxy { _failuresLeft = failFirst };
        proxy._server = await LoopbackServer.StartAsync(context => proxy.HandleAsync(context, upstreamHost));
        return proxy;
    }

    private async Task HandleAsync(HttpContext context, string upstreamHost)
    {
        var line = $"{context.Request.Method} {context.Request.Path}";
        if (_failuresLeft == int.MaxValue || Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Record(line, 500);
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"injected failure\"}]}");
            return;
        }
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method),
            $"http://{upstreamHost}{context.Request.Path}{context.Request.QueryString}");
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0 || context.Request.Method is "PUT" or "PATCH" or "POST")
            request.Content = new StreamContent(context.Request.Body);
        foreach (var header in context.Request.Headers)
        {
            if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()))
                request.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
        }
        // The registry builds upload Locations from Host, so it must see the proxy's address.
        request.Headers.Host = Host;
        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        Record(line, (int)response.StatusCode);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
            if (!header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                context.Response.Headers[header.Key] = header.Value.ToArray();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private void Record(string line, int status) { lock (_requests) _requests.Add($"{line} -> {status}"); }

    public static int Always => int.MaxValue;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _upstream.Dispose();
    }
}
