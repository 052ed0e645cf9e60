using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary>
/// Request framing a client gets wrong, sent byte for byte over a socket (issue 24): every such error is a 4xx (or the
/// 501 RFC 9112 asks for) with a JSON error, never a 500 or an error in the log, and the server goes on serving.
/// </summary>
public sealed class HttpFramingTests : IClassFixture<HttpFramingTests.MlpServer>
{
    private readonly RunningServer _server;

    public HttpFramingTests(MlpServer fixture) => _server = fixture.Server;

    public sealed class MlpServer : IAsyncLifetime
    {
        internal RunningServer Server { get; private set; } = null!;
        public async Task InitializeAsync() => Server = await RunningServer.StartAsync(ModelFiles.Mlp);
        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    private const string Body = """{"inputs":[{"name":"features","shape":[1,16],"datatype":"FP32","data":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}]}""";

    [Theory]
    [InlineData("ffffffffffffffff")]
    [InlineData("10000000000000000")]
    public async Task ChunkSizeOverflowing64Bits_Is400_NotA500(string size)
    {
        var (status, headers, error) = await SendAsync($"Transfer-Encoding: chunked\r\n\r\n{size}\r\n{Body}\r\n0\r\n\r\n");

        Assert.Equal(400, status);
        Assert.StartsWith("the request body could not be read", error);
        Assert.Contains("connection: close", headers, StringComparison.OrdinalIgnoreCase);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task ContentLengthWithTransferEncoding_Is400_AndTheConnectionCloses()
    {
        var chunked = $"{Body.Length:x}\r\n{Body}\r\n0\r\n\r\n";

        var (status, headers, error) = await SendAsync($"Content-Length: {chunked.Length}\r\nTransfer-Encoding: chunked\r\n\r\n{chunked}");

        Assert.Equal(400, status);
        Assert.Equal("the request has both Transfer-Encoding and Content-Length; send one of them (RFC 9112 section 6.3)", error);
        Assert.Contains("connection: close", headers, StringComparison.OrdinalIgnoreCase);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task TransferCodingOtherThanChunked_Is501()
    {
        var (status, _, error) = await SendAsync($"Transfer-Encoding: gzip, chunked\r\n\r\n{Body.Length:x}\r\n{Body}\r\n0\r\n\r\n");

        Assert.Equal(501, status);
        Assert.StartsWith("transfer coding 'gzip' is not implemented", error);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task PlainChunkedBody_IsStillServed()
    {
        var (status, _, _) = await SendAsync($"Transfer-Encoding: chunked\r\n\r\n{Body.Length:x}\r\n{Body}\r\n0\r\n\r\n");

        Assert.Equal(200, status);
    }

    /// <summary>Sends an infer request with the given headers and body on a connection of its own; reads the answer until the server closes or it is whole.</summary>
    private async Task<(int Status, string Headers, string Error)> SendAsync(string headersAndBody)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_server.Server.BaseAddress.Host, _server.Server.BaseAddress.Port);
        var stream = client.GetStream();
        var request = $"POST /v2/models/mlp/infer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{headersAndBody}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            var text = Encoding.UTF8.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end > 0 && System.Text.RegularExpressions.Regex.Match(text, @"(?i)content-length: (\d+)") is { Success: true } length
                && text.Length >= end + 4 + int.Parse(length.Groups[1].Value))
                return Parse(text);
            if (end > 0 && text.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase) && text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                return Parse(text);
            int read;
            try { read = await stream.ReadAsync(buffer, timeout.Token); }
            catch (IOException) { read = 0; }
            if (read == 0) return Parse(text);
            received.Write(buffer, 0, read);
        }
    }

    private static (int Status, string Headers, string Error) Parse(string response)
    {
        var end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no complete answer: '{response}'");
        var headers = response[..end];
        var body = response[(end + 4)..];
        if (headers.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase)) body = Dechunk(body);
        var status = int.Parse(headers.Split(' ')[1]);
        var error = status >= 400 ? JsonNode.Parse(body)?["error"]?.GetValue<string>() ?? "" : "";
        return (status, headers, error);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        for (var at = 0; ;)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0) return body.ToString();
            body.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private async Task AssertStillServingAsync()
    {
        var response = await _server.Http.PostAsync("/v2/models/mlp/infer", OipJson.Raw(Body));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_server.Logs.Errors);
        Assert.DoesNotContain("outcome=\"server_error\"", await _server.Http.GetStringAsync("/metrics"));
    }
}
