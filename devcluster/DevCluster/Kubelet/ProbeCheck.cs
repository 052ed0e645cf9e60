using System.Diagnostics;
using System.Net.Sockets;
using k8s.Models;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>One probe attempt (httpGet, tcpSocket or exec), judged as the kubelet judges it, with the kubelet's failure messages.</summary>
internal static class ProbeCheck
{
    public static async Task<(bool Success, string Message)> RunAsync(V1Probe probe, V1Container container, string podIp, LaunchPlan plan,
        HttpClient http, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(timeout);
        try
        {
            if (probe.HttpGet is { } get) return await HttpAsync(get, container, podIp, http, attempt.Token);
            if (probe.TcpSocket is { } tcp) return await TcpAsync(tcp, container, podIp, attempt.Token);
            if (probe.Exec is { } exec) return await ExecAsync(exec, plan, attempt.Token);
            if (probe.Grpc is not null) return (false, "gRPC probes are not supported by the dev cluster's kubelet");
            return (false, "the probe has no handler (httpGet, tcpSocket or exec)");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (false, $"probe timed out after {timeout.TotalSeconds:0}s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (false, e.Message);
        }
    }

    /// <summary>A probe port by number or by the name of one of the container's ports.</summary>
    public static int? Port(IntOrString port, V1Container container)
    {
        if (int.TryParse(port.Value, out var number)) return number;
        return container.Ports?.FirstOrDefault(p => p.Name == port.Value)?.ContainerPort;
    }

    private static async Task<(bool, string)> HttpAsync(V1HTTPGetAction get, V1Container container, string podIp, HttpClient http, CancellationToken ct)
    {
        if (Port(get.Port, container) is not { } port) return (false, $"port \"{get.Port.Value}\" is not a number nor a named port of container {container.Name}");
        var scheme = (get.Scheme ?? "HTTP").ToLowerInvariant();
        var path = string.IsNullOrEmpty(get.Path) ? "/" : get.Path.StartsWith('/') ? get.Path : "/" + get.Path;
        var url = $"{scheme}://{get.Host ?? podIp}:{port}{path}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.UserAgent.ParseAdd("kube-probe/1.34");
        foreach (var header in get.HttpHeaders ?? []) request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 400 ? (true, "") : (false, $"HTTP probe failed with statuscode: {code}");
        }
        catch (HttpRequestException e)
        {
            return (false, $"Get \"{url}\": {e.InnerException?.Message ?? e.Message}");
        }
    }

    private static async Task<(bool, string)> TcpAsync(V1TCPSocketAction tcp, V1Container container, string podIp, CancellationToken ct)
    {
        if (Port(tcp.Port, container) is not { } port) return (false, $"port \"{tcp.Port.Value}\" is not a number nor a named port of container {container.Name}");
        using var socket = new TcpClient();
        try
        {
            await socket.ConnectAsync(tcp.Host ?? podIp, port, ct);
            return (true, "");
        }
        catch (SocketException e)
        {
            return (false, $"dial tcp {tcp.Host ?? podIp}:{port}: {e.Message}");
        }
    }

    private static async Task<(bool, string)> ExecAsync(V1ExecAction exec, LaunchPlan plan, CancellationToken ct)
    {
        if (exec.Command is not { Count: > 0 } probeCommand) return (false, "exec probe has no command");
        IReadOnlyList<string> command = plan.ExecPrefix is { Count: > 0 } prefix ? [.. prefix, .. probeCommand] : [.. probeCommand];
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = plan.WorkingDirectory,
        };
        foreach (var word in command.Skip(1)) start.ArgumentList.Add(word);
        start.Environment.Clear();
        foreach (var (name, value) in plan.Environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try { await process.WaitForExitAsync(ct); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        return process.ExitCode == 0 ? (true, "") : (false, ((await output) + (await error)).Trim() is { Length: > 0 } text ? text : $"command exited with {process.ExitCode}");
    }
}
