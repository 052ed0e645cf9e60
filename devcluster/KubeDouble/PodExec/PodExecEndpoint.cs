using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ModelOperator.KubeDouble.Http;
using ModelOperator.KubeDouble.Storage;

namespace ModelOperator.KubeDouble.PodExec;

/// <summary>
/// <c>GET|POST /api/v1/namespaces/{ns}/pods/{name}/exec</c> over WebSocket with the channel protocol kubectl 1.30+
/// speaks (<see cref="ChannelSocket"/>): checks the pod, container and options as the API server does, has the
/// registered <see cref="IPodExecSource"/> resolve the container, upgrades, runs the command, and ends with a Status on
/// the error channel (Success, or NonZeroExitCode with the exit code, which kubectl exits with). What is not
/// implemented (a TTY, SPDY) is refused before the upgrade with a Status naming it, which kubectl prints and does not
/// retry.
/// </summary>
internal sealed partial class PodExecEndpoint(ObjectStore store, Func<IPodExecSource?> source)
{
    [GeneratedRegex("^/api/v1/namespaces/(?<ns>[^/]+)/pods/(?<name>[^/]+)/exec/?$")]
    private static partial Regex ExecPath();

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        var match = ExecPath().Match(http.Request.Path.Value ?? "");
        if (!match.Success || http.Request.Method is not ("GET" or "POST")) { await next(http); return; }
        var (ns, name) = (match.Groups["ns"].Value, match.Groups["name"].Value);
        IPodExecution execution;
        PodExecRequest request;
        string protocol;
        bool stdout, stderr;
        try
        {
            var query = http.Request.Query;
            request = Resolve(query, ns, name);
            (stdout, stderr) = (PodSubresourceQuery.IsTrue(query["stdout"]), PodSubresourceQuery.IsTrue(query["stderr"]));
            if (!request.Stdin && !stdout && !stderr)
                throw new ApiException(400, "BadRequest", "you must specify at least one of stdin, stdout, stderr");
            if (PodSubresourceQuery.IsTrue(query["tty"]))
                throw new ApiException(400, "BadRequest", "the dev cluster's exec does not allocate a TTY: run kubectl exec without -t (stdin with -i works)");
            var exec = source() ?? throw new ApiException(400, "BadRequest", $"pod {name} has no kubelet to exec in (no node simulator runs)");
            if (!http.WebSockets.IsWebSocketRequest)
                throw new ApiException(400, "BadRequest",
                    $"the dev cluster's pods/exec speaks only WebSocket ({ChannelSocket.V5}, {ChannelSocket.V4}), as kubectl 1.30 and later do; SPDY is not implemented");
            protocol = ChannelSocket.Choose(http.WebSockets.WebSocketRequestedProtocols)
                ?? throw new ApiException(400, "BadRequest",
                    $"none of the offered WebSocket subprotocols [{string.Join(", ", http.WebSockets.WebSocketRequestedProtocols)}] is implemented; the dev cluster's exec speaks {ChannelSocket.V5} and {ChannelSocket.V4}");
            execution = exec.Prepare(request);
        }
        catch (PodExecException e)
        {
            await JsonResponse.WriteAsync(http, 400, StatusBody.Failure(400, "BadRequest", e.Message));
            return;
        }
        catch (ApiException e)
        {
            await JsonResponse.WriteAsync(http, e.Code, e.ToStatus());
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(protocol);
        await RunAsync(new ChannelSocket(socket, protocol), socket, execution, request, stdout, stderr, http.RequestAborted);
    }

    private static async Task RunAsync(ChannelSocket channels, WebSocket socket, IPodExecution execution, PodExecRequest request, bool stdout, bool stderr,
        CancellationToken aborted)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var stdin = request.Stdin ? new Pipe() : null;
        var receiving = channels.ReceiveAsync(stdin?.Writer, running.Token);
        // The client going away (Ctrl-C) ends the command, as closing a real exec stream does.
        var clientGone = receiving.ContinueWith(_ => { if (socket.State != WebSocketState.CloseSent) running.Cancel(); }, TaskScheduler.Default);
        JsonObject status;
        try
        {
            var code = await execution.RunAsync(stdin?.Reader.AsStream(), stdout ? channels.Writer(ChannelSocket.Stdout) : Stream.Null,
                stderr ? channels.Writer(ChannelSocket.Stderr) : Stream.Null, running.Token);
            status = ExitStatus(code, request.Command);
        }
        catch (PodExecException e)
        {
            status = Failure(500, "InternalError", e.Message);
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            return;
        }
        catch (WebSocketException)
        {
            return;
        }
        try
        {
            await channels.SendAsync(ChannelSocket.Error, Encoding.UTF8.GetBytes(status.ToJsonString()), aborted);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", aborted);
            await Task.WhenAny(receiving, Task.Delay(TimeSpan.FromSeconds(5), aborted));
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        await running.CancelAsync();
        await clientGone;
    }

    /// <summary>The error channel's Status for an exit code, as the kubelet writes it (kubectl exits with the code).</summary>
    internal static JsonObject ExitStatus(int code, IReadOnlyList<string> command)
    {
        if (code == 0) return new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" };
        var status = Failure(500, "NonZeroExitCode",
            $"command terminated with non-zero exit code: error executing command [{string.Join(' ', command)}], exit code {code}");
        status["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = $"{code & 0xFF}" }) };
        return status;
    }

    private static JsonObject Failure(int code, string reason, string message) =>
        new() { ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = message, ["reason"] = reason, ["code"] = code };

    private PodExecRequest Resolve(IQueryCollection query, string ns, string name)
    {
        var pod = PodSubresourceQuery.Pod(store, ns, name);
        if (pod["status"]?["phase"]?.ToString() is { } phase && phase is "Succeeded" or "Failed")
            throw new ApiException(400, "BadRequest", $"cannot exec into a container in a completed pod; current phase is {phase}");
        var container = PodSubresourceQuery.Container(pod, query, name);
        var command = query["command"].Where(c => c is not null).Select(c => c!).ToList();
        if (command.Count == 0) throw new ApiException(400, "BadRequest", "you must specify at least 1 command");
        return new PodExecRequest(ns, name, ObjectMeta.Uid(pod), container, command, PodSubresourceQuery.IsTrue(query["stdin"]));
    }
}
