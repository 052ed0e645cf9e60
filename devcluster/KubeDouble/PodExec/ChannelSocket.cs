using System.IO.Pipelines;
using System.Net.WebSockets;

namespace ModelOperator.KubeDouble.PodExec;

/// <summary>
/// The Kubernetes channel protocol over one WebSocket (<c>v4.channel.k8s.io</c>, <c>v5.channel.k8s.io</c>), as
/// kubectl 1.30 and later speak it for exec: every binary message starts with its channel's byte (0 stdin, 1 stdout,
/// 2 stderr, 3 error, 4 resize) and carries that channel's data; v5 adds channel 255, whose one data byte names a
/// channel the sender will write no more to (how kubectl ends stdin). Sends are serialised, since a WebSocket takes
/// one send at a time.
/// </summary>
internal sealed class ChannelSocket(WebSocket socket, string protocol)
{
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";
    public const byte Stdin = 0, Stdout = 1, Stderr = 2, Error = 3, Resize = 4, Close = 255;

    /// <summary>The largest message sent; kubectl reads any size, this keeps one message's copy small.</summary>
    private const int MaxMessage = 32 * 1024;

    private readonly SemaphoreSlim _sending = new(1, 1);

    /// <summary>The subprotocol to accept among those the client offered, newest first; null when none is implemented.</summary>
    public static string? Choose(IEnumerable<string> offered)
    {
        var set = offered.SelectMany(p => p.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        return set.Contains(V5) ? V5 : set.Contains(V4) ? V4 : null;
    }

    public string Protocol => protocol;

    public async Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var message = new byte[Math.Min(data.Length, MaxMessage) + 1];
        await _sending.WaitAsync(ct);
        try
        {
            do
            {
                var part = data[..Math.Min(data.Length, MaxMessage)];
                message[0] = channel;
                part.CopyTo(message.AsMemory(1));
                await socket.SendAsync(message.AsMemory(0, part.Length + 1), WebSocketMessageType.Binary, endOfMessage: true, ct);
                data = data[part.Length..];
            } while (data.Length > 0);
        }
        finally { _sending.Release(); }
    }

    /// <summary>A write-only stream whose writes become messages on <paramref name="channel"/>.</summary>
    public Stream Writer(byte channel) => new ChannelStream(this, channel);

    /// <summary>
    /// Reads messages until the client closes the socket: stdin's data into <paramref name="stdin"/> (completed when the
    /// client closes stdin, or the socket), resize messages ignored (there is no TTY).
    /// </summary>
    public async Task ReceiveAsync(PipeWriter? stdin, CancellationToken ct)
    {
        var buffer = new byte[MaxMessage + 1];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
                    length += result.Count;
                } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close) break;
                if (length == 0) continue;
                if (buffer[0] == Stdin && stdin is not null && length > 1) await stdin.WriteAsync(buffer.AsMemory(1, length - 1), ct);
                else if (buffer[0] == Close && protocol == V5 && length > 1 && buffer[1] == Stdin && stdin is not null)
                {
                    await stdin.CompleteAsync();
                    stdin = null;
                }
            }
        }
        catch (WebSocketException) { }
        catch (OperationCanceledException) { }
        finally
        {
            if (stdin is not null) await stdin.CompleteAsync();
        }
    }

    private sealed class ChannelStream(ChannelSocket socket, byte channel) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            if (buffer.Length > 0) await socket.SendAsync(channel, buffer, ct);
        }
    }
}
