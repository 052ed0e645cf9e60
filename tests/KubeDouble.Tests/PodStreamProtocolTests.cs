using System.Text.Json.Nodes;
using ModelOperator.KubeDouble.PodExec;
using ModelOperator.KubeDouble.PortForward;

namespace ModelOperator.KubeDouble.Tests;

/// <summary>
/// The wire formats behind <c>kubectl exec</c> and <c>kubectl port-forward</c>: the channel subprotocol's choice and
/// exit Status, and SPDY/3 header blocks, checked against bytes a stock kubectl (1.34) sent.
/// </summary>
public sealed class PodStreamProtocolTests
{
    [Theory]
    [InlineData("v5.channel.k8s.io,v4.channel.k8s.io", "v5.channel.k8s.io")]
    [InlineData("v4.channel.k8s.io, v5.channel.k8s.io", "v5.channel.k8s.io")]
    [InlineData("v4.channel.k8s.io", "v4.channel.k8s.io")]
    [InlineData("channel.k8s.io,base64.channel.k8s.io", null)]
    public void ChannelProtocol_IsTheNewestOffered_OrNoneWhenNoneIsImplemented(string offered, string? chosen) =>
        Assert.Equal(chosen, ChannelSocket.Choose([offered]));

    [Fact]
    public void ExitStatus_IsSuccessForZero_AndNonZeroExitCodeWithTheCodeAsItsCause()
    {
        var success = PodExecEndpoint.ExitStatus(0, ["true"]);
        var failure = PodExecEndpoint.ExitStatus(7, ["sh", "-c", "exit 7"]);

        Assert.Equal("Success", success["status"]!.ToString());
        Assert.Equal("Failure", failure["status"]!.ToString());
        Assert.Equal("NonZeroExitCode", failure["reason"]!.ToString());
        var cause = (JsonObject)failure["details"]!["causes"]![0]!;
        Assert.Equal("ExitCode", cause["reason"]!.ToString());
        Assert.Equal("7", cause["message"]!.ToString());
    }

    [Fact]
    public void SpdyDictionary_IsTheSpdy3Dictionary()
    {
        Assert.Equal(1423, SpdyDictionary.Bytes.Length);
        Assert.Equal(0xE3C6A7C2u, Adler32(SpdyDictionary.Bytes)); // the dictionary id kubectl's zlib header names
    }

    [Fact]
    public void SpdyHeaderBlocks_AsKubectlCompressesThem_DecodeAcrossOneConnection()
    {
        // The header blocks of kubectl 1.34's first two SYN_STREAMs of one port-forward (error stream, then data stream),
        // logged with -v=7: one zlib stream with the SPDY dictionary, the second block referring back into the first.
        var first = Convert.FromHexString("78F9E3C6A7C202253A703A2B294A4DCC851625ACA9A08086" + "14CB45E01C60616061C0C0C0C0590489C64C50F266340000" + "0000FFFF");
        var second = Convert.FromHexString("C2AA19540E2512D60B000000FFFF");
        using var blocks = new SpdyHeaderBlock();

        var error = blocks.Decode(first);
        var data = blocks.Decode(second);

        Assert.Equal(new Dictionary<string, string> { ["streamtype"] = "error", ["port"] = "8080", ["requestid"] = "0" }, error);
        Assert.Equal(new Dictionary<string, string> { ["streamtype"] = "data", ["port"] = "8080", ["requestid"] = "0" }, data);
    }

    [Fact]
    public void SpdyHeaderBlocks_Sent_DecodeAsZlibAcrossFrames()
    {
        using var sender = new SpdyHeaderBlock();
        using var receiver = new SpdyHeaderBlock();

        var first = receiver.Decode(sender.Encode(new Dictionary<string, string> { ["Status"] = "200" }));
        var empty = receiver.Decode(sender.Encode(new Dictionary<string, string>()));
        var third = receiver.Decode(sender.Encode(new Dictionary<string, string> { ["port"] = "8080" }));

        Assert.Equal("200", first["status"]);
        Assert.Empty(empty);
        Assert.Equal("8080", third["port"]);
    }

    private static uint Adler32(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }
}
