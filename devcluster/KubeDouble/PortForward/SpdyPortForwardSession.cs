using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ModelOperator.KubeDouble.PortForward;

/// <summary>
/// The server side of Kubernetes' port-forward protocol (<c>portforward.k8s.io</c>) over one SPDY/3 connection, as the
/// kubelet speaks it: for each local connection kubectl opens two streams with the same <c>requestID</c> and
/// <c>port</c> headers, first <c>streamType: error</c>, then <c>streamType: data</c>. Each stream is answered with a
/// SYN_REPLY; the data stream is joined to a TCP connection to the pod's IP and that port (both directions, a FIN
/// closing the write side), and once the pod's side has ended the error stream is closed, empty on success or holding
/// the error (kubectl prints it). PINGs are echoed; flow control is not used (kubectl's SPDY library sends no window
/// updates it relies on).
/// </summary>
internal sealed class SpdyPortForwardSession(Stream transport, string podIp, TimeSpan connectTimeout)
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly SpdyHeaderBlock _headers = new();
    private readonly ConcurrentDictionary<string, Forward> _byRequest = new();
    private readonly ConcurrentDictionary<uint, Forward> _byDataStream = new();

    private sealed class Forward
    {
        public uint ErrorStream;
        public uint DataStream;
        public int Port;
        public TcpClient? Tcp;
        public readonly TaskCompletionSource<NetworkStream?> Connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Serves the connection until the client closes it or <paramref name="ct"/> ends; then closes every pod connection.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var pumps = new List<Task>();
        try
        {
            while (await SpdyFrame.ReadAsync(transport, ct) is { } frame)
            {
                if (!frame.Control) { await OnDataAsync(frame); continue; }
                switch (frame.Type)
                {
                    case SpdyFrame.SynStream:
                        if (await OnSynStreamAsync(frame, ct) is { } pump) pumps.Add(pump);
                        break;
                    case SpdyFrame.RstStream:
                        if (frame.Payload.Length >= 4 && _byDataStream.TryGetValue(BinaryPrimitives.ReadUInt32BigEndian(frame.Payload) & 0x7FFFFFFF, out var reset)) reset.Tcp?.Dispose();
                        break;
                    case SpdyFrame.Ping:
                        await WriteAsync(SpdyFrame.ControlBytes(SpdyFrame.Ping, 0, frame.Payload), ct);
                        break;
                    case SpdyFrame.GoAway:
                        return;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or OperationCanceledException or System.Net.WebSockets.WebSocketException) { }
        finally
        {
            foreach (var forward in _byRequest.Values) forward.Tcp?.Dispose();
            await Task.WhenAll(pumps);
            _headers.Dispose();
        }
    }

    private async Task<Task?> OnSynStreamAsync(SpdyFrame frame, CancellationToken ct)
    {
        var id = BinaryPrimitives.ReadUInt32BigEndian(frame.Payload) & 0x7FFFFFFF;
        var headers = _headers.Decode(frame.Payload.AsSpan(10));
        await WriteAsync(SpdyFrame.ControlBytes(SpdyFrame.SynReply, 0, [.. BigEndian(id), .. _headers.Encode(new Dictionary<string, string>())]), ct);
        var requestId = headers.GetValueOrDefault("requestid") ?? "";
        var forward = _byRequest.GetOrAdd(requestId, _ => new Forward());
        var portText = headers.GetValueOrDefault("port") ?? "";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            await FailAsync(forward, id, $"invalid port \"{portText}\": a port-forward stream needs a port header between 1 and 65535", ct);
            return null;
        }
        forward.Port = port;
        switch (headers.GetValueOrDefault("streamtype"))
        {
            case "error":
                forward.ErrorStream = id;
                return null;
            case "data":
                forward.DataStream = id;
                _byDataStream[id] = forward;
                return Task.Run(() => PumpFromPodAsync(forward, requestId, ct), CancellationToken.None);
            case var other:
                await FailAsync(forward, id, $"invalid stream type \"{other}\": expected error or data", ct);
                return null;
        }
    }

    private async Task OnDataAsync(SpdyFrame frame)
    {
        if (!_byDataStream.TryGetValue(frame.StreamId, out var forward)) return; // the error stream carries nothing from kubectl
        var stream = await forward.Connected.Task;
        if (stream is null) return;
        try
        {
            if (frame.Payload.Length > 0) await stream.WriteAsync(frame.Payload);
            if (frame.Fin) forward.Tcp!.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
    }

    private async Task PumpFromPodAsync(Forward forward, string requestId, CancellationToken ct)
    {
        string? error = null;
        try
        {
            var tcp = new TcpClient();
            forward.Tcp = tcp;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(connectTimeout);
                await tcp.ConnectAsync(podIp, forward.Port, timeout.Token);
            }
            var stream = tcp.GetStream();
            forward.Connected.TrySetResult(stream);
            var buffer = new byte[32 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
                await WriteAsync(SpdyFrame.DataBytes(forward.DataStream, 0, buffer.AsSpan(0, read)), ct);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            if (!forward.Connected.Task.IsCompleted)
                error = $"error forwarding port {forward.Port} to pod at {podIp}: dial tcp {podIp}:{forward.Port}: {(e is OperationCanceledException ? "i/o timeout" : e.Message)}";
        }
        forward.Connected.TrySetResult(null);
        try
        {
            await WriteAsync(SpdyFrame.DataBytes(forward.DataStream, SpdyFrame.FlagFin, []), ct);
            if (error is not null) await WriteAsync(SpdyFrame.DataBytes(forward.ErrorStream, 0, Encoding.UTF8.GetBytes(error)), ct);
            await WriteAsync(SpdyFrame.DataBytes(forward.ErrorStream, SpdyFrame.FlagFin, []), ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.WebSockets.WebSocketException) { }
        forward.Tcp?.Dispose();
        _byRequest.TryRemove(requestId, out _);
        _byDataStream.TryRemove(forward.DataStream, out _);
    }

    private async Task FailAsync(Forward forward, uint stream, string message, CancellationToken ct)
    {
        var errorStream = forward.ErrorStream != 0 ? forward.ErrorStream : stream;
        await WriteAsync(SpdyFrame.DataBytes(errorStream, 0, Encoding.UTF8.GetBytes(message)), ct);
        await WriteAsync(SpdyFrame.DataBytes(errorStream, SpdyFrame.FlagFin, []), ct);
        if (stream != errorStream) await WriteAsync(SpdyFrame.DataBytes(stream, SpdyFrame.FlagFin, []), ct);
    }

    private async Task WriteAsync(byte[] frame, CancellationToken ct)
    {
        await _writing.WaitAsync(ct);
        try
        {
            await transport.WriteAsync(frame, ct);
            await transport.FlushAsync(ct);
        }
        finally { _writing.Release(); }
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
