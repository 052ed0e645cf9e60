using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.PortForward;

/// <summary>
/// <c>GET|POST /api/v1/namespaces/{ns}/pods/{name}/portforward</c> as kubectl 1.30+ asks for it: a WebSocket with the
/// subprotocol <c>SPDY/3.1+portforward.k8s.io</c>, through which it speaks SPDY/3.1 (<see cref="SpdyPortForwardSession"/>);
/// each forwarded connection goes to the pod's IP and the requested port, which is what the kubelet's port-forward
/// reaches inside the pod's network namespace (the dev cluster's pods share the host's, each on its own loopback IP).
/// A pod that is not running, and a plain SPDY upgrade (kubectl before 1.30), get a Status saying so.
/// </summary>
internal sealed partial class PortForwardEndpoint(ObjectStore store)
{
    public const string TunnelProtocol = "SPDY/3.1+portforward.k8s.io";

    [GeneratedRegex("^/api/v1/namespaces/(?<ns>[^/]+)/pods/(?<name>[^/]+)/portforward/?$")]
    private static partial Regex ForwardPath();

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var match = ForwardPath().Match(http.Request.Path.Value ?? "");
        if (!match.Success || http.Request.Method is not ("GET" or "POST")) { await next(http); return; }
        var (ns, name) = (match.Groups["ns"].Value, match.Groups["name"].Value);
        string podIp;
        try
        {
            var pod = PodSubresourceQuery.Pod(store, ns, name);
            var phase = pod["status"]?["phase"]?.ToString() ?? "Pending";
            if (phase != "Running") throw new ApiException(400, "BadRequest", $"unable to forward port because pod is not running. Current status={phase}");
            podIp = pod["status"]?["podIP"]?.ToString() is { Length: > 0 } ip ? ip
                : throw new ApiException(400, "BadRequest", $"pod {name} has no IP yet (status.podIP is empty)");
            if (!http.WebSockets.IsWebSocketRequest)
                throw new ApiException(400, "BadRequest",
                    $"the dev cluster's pods/portforward speaks only SPDY over WebSocket ({TunnelProtocol}), as kubectl 1.30 and later do; a plain SPDY upgrade is not implemented");
            var offered = http.WebSockets.WebSocketRequestedProtocols
                .SelectMany(p => p.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
            if (!offered.Contains(TunnelProtocol, StringComparer.Ordinal))
                throw new ApiException(400, "BadRequest",
                    $"none of the offered WebSocket subprotocols [{string.Join(", ", offered)}] is implemented; the dev cluster's port-forward speaks {TunnelProtocol}");
        }
        catch (ApiException e)
        {
            await JsonResponse.WriteAsync(http, e.Code, e.ToStatus());
            return;
        }
        // .NET refuses '/' in a subprotocol (RFC 6455 asks for a token) while kubectl names it so: the header is set
        // here and the WebSocket accepted without one.
        http.Response.Headers.SecWebSocketProtocol = TunnelProtocol;
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        await new SpdyPortForwardSession(new WebSocketByteStream(socket), podIp, TimeSpan.FromSeconds(10)).RunAsync(http.RequestAborted);
        try
        {
            if (socket.State == WebSocketState.Open) await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        }
        catch (WebSocketException) { }
    }
}
