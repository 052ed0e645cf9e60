using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using ModelOperator.Runtime.Protocol;
using ModelOperator.Runtime.Tests.Grpc;
using ModelOperator.Runtime.Server;
using ModelOperator.Runtime.Tests.Infrastructure;
using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary>
/// The hostile and careless requests of issues 11 and 24, each sent exactly as written: every one is a 4xx with a JSON
/// error that names the field or problem, and none of them counts as a server error. The rules that are not about
/// JSON (<see cref="HostileRequestRuleTable"/>) are sent over gRPC too, and must be refused there in the same words.
/// </summary>
public sealed class HostileRequestTests : IClassFixture<HostileRequestTests.Servers>
{
    private readonly Servers _servers;

    public HostileRequestTests(Servers servers) => _servers = servers;

    /// <summary>One mlp server (features FP32 [-1,16]) and one FP16/BYTES identity server per test class, to keep the run short.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        internal RunningServer Mlp { get; private set; } = null!;
        internal RunningServer Fp16 { get; private set; } = null!;
        internal RunningServer Strings { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Mlp = await RunningServer.StartAsync(ModelFiles.Mlp);
            Fp16 = await RunningServer.StartAsync(ModelFiles.Identity(OnnxElementType.Float16));
            Strings = await RunningServer.StartAsync(new ServeOptions
            {
                Model = ModelFiles.Identity(OnnxElementType.String), BenchIterations = 0,
                Limits = new ModelOperator.Runtime.Protocol.InferRequestLimits(MaxBytesElements: 1000),
            });
        }

        public async Task DisposeAsync()
        {
            await Mlp.DisposeAsync();
            await Fp16.DisposeAsync();
            await Strings.DisposeAsync();
        }
    }

    private static string Features(string shape = "[1,16]", string data = "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]", string extra = "") =>
        $$"""{"name":"features","shape":{{shape}},"datatype":"FP32","data":{{data}}{{extra}}}""";

    private static string Body(string input, string rest = "") => $$"""{"inputs":[{{input}}]{{rest}}}""";

    private static async Task<(HttpStatusCode Status, string Error)> PostAsync(RunningServer server, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        var response = await server.Http.PostAsync($"/v2/models/{server.ModelName}/infer", content);
        var text = await response.Content.ReadAsStringAsync();
        var error = JsonNode.Parse(text)?["error"]?.GetValue<string>() ?? "";
        return (response.StatusCode, error);
    }

    private static Task<(HttpStatusCode Status, string Error)> PostAsync(RunningServer server, string body) =>
        PostAsync(server, Encoding.UTF8.GetBytes(body));

    private async Task AssertNoServerErrorsAsync(RunningServer server)
    {
        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.DoesNotContain("outcome=\"server_error\"", metrics);
        Assert.Empty(server.Logs.Errors);
    }

    public static TheoryData<string, string, string, string> Rules() => HostileRequestRuleTable.Rules();

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task EveryRequestRule_RefusesOverRestAndGrpc_InTheSameWords_AndServingGoesOn(string rule, string server, string body, string expected)
    {
        var running = server == HostileRequestRuleTable.Mlp ? _servers.Mlp : _servers.Strings;
        var client = GrpcInferenceTests.Client(running);

        var (status, error) = await PostAsync(running, body);
        var grpc = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(HostileRequestRuleTable.ToGrpc(running.ModelName, body)).ResponseAsync);

        Assert.True(status == HttpStatusCode.BadRequest && error.Contains(expected), $"{rule} over REST: {(int)status} '{ClientText.Cut(error)}'");
        Assert.True(grpc.StatusCode == StatusCode.InvalidArgument && grpc.Status.Detail.Contains(expected),
            $"{rule} over gRPC: {grpc.StatusCode} '{ClientText.Cut(grpc.Status.Detail)}'");
        Assert.True(error.Length < 1000 && grpc.Status.Detail.Length < 1000, $"{rule}: the error echoes too much ({error.Length} and {grpc.Status.Detail.Length} characters)");
        await AssertNoServerErrorsAsync(running);
        var good = server == HostileRequestRuleTable.Mlp ? Body(Features())
            : $$"""{"inputs":[{"name":"{{SampleModelCatalog.IdentityInputName(OnnxElementType.String)}}","shape":[1,1],"datatype":"BYTES","data":["ok"]}]}""";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(running, good)).Status);
        Assert.Single((await client.ModelInferAsync(HostileRequestRuleTable.ToGrpc(running.ModelName, good))).Outputs);
    }

    [Fact]
    public async Task ElementCountThatOverflows_Is400NamingTheInput_NotAServerError()
    {
        var (status, error) = await PostAsync(_servers.Mlp, Body(Features(shape: "[9223372036854775807,16]")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("input 'features'", error);
        Assert.Contains("more elements than a tensor can hold", error);
        await AssertNoServerErrorsAsync(_servers.Mlp);
    }

    [Fact]
    public async Task HugeShapeWithTinyData_Is400BeforeAnythingIsAllocated()
    {
        var (status, error) = await PostAsync(_servers.Mlp, Body(Features(shape: "[10000000,16]", data: "[1]")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("input 'features': shape [10000000,16] needs 160000000 elements", error);
    }

    [Theory]
    [InlineData("""{"id":"\ud800","inputs":[]}""", "'id' is not valid UTF-8")]
    [InlineData("""{"inputs":[{"name":"feat\udfffures","shape":[1,16],"datatype":"FP32","data":[]}]}""", "input 'name' is not valid UTF-8")]
    [InlineData("""{"in\ud800puts":[]}""", "a property name is not valid UTF-8")]
    public async Task LoneSurrogateInAnyString_Is400NamingTheField(string body, string expected)
    {
        var (status, error) = await PostAsync(_servers.Mlp, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error);
        await AssertNoServerErrorsAsync(_servers.Mlp);
    }

    [Fact]
    public async Task InvalidUtf8BytesInAString_Is400NamingTheField()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"ab__","inputs":[]}""");
        var at = Array.IndexOf(body, (byte)'_');
        body[at] = 0xC3; body[at + 1] = 0x28; // a two-byte lead followed by a non-continuation byte

        var (status, error) = await PostAsync(_servers.Mlp, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'id'", error);
        await AssertNoServerErrorsAsync(_servers.Mlp);
    }

    [Fact]
    public async Task LoneSurrogateInBytesData_Is400NamingTheElement()
    {
        var name = SampleModelCatalog.IdentityInputName(OnnxElementType.String);
        var body = $$"""{"inputs":[{"name":"{{name}}","shape":[1,2],"datatype":"BYTES","data":["ok","\ud800"]}]}""";

        var (status, error) = await PostAsync(_servers.Strings, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"input '{name}': element 1 of 'data' is not valid UTF-8", error);
        await AssertNoServerErrorsAsync(_servers.Strings);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("}")]
    [InlineData("""{"inputs":[]}""")]
    public async Task ValidRequestFollowedByAnything_Is400(string trailer)
    {
        var (status, error) = await PostAsync(_servers.Mlp, Body(Features()) + trailer);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("malformed JSON", error);
    }

    [Fact]
    public async Task ValidRequestFollowedByWhitespace_IsStillAnswered()
    {
        var (status, _) = await PostAsync(_servers.Mlp, Body(Features()) + " \r\n");

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task DataTogetherWithBinaryDataSize_Is400_AsAmbiguous()
    {
        var (status, error) = await PostAsync(_servers.Mlp, Body(Features(extra: ""","parameters":{"binary_data_size":64}""")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("input 'features' has both 'data' and a 'binary_data_size' parameter", error);
    }

    [Theory]
    [InlineData("[[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,0]]")] // right total, 4x8 instead of 2x16
    [InlineData("[[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]")] // half nested, half flat
    [InlineData("[[[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]],[[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]]]")] // one level too deep
    public async Task NestedDataDisagreeingWithShape_Is400(string data)
    {
        var (status, error) = await PostAsync(_servers.Mlp, Body(Features(shape: "[2,16]", data: data)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("input 'features'", error);
        Assert.Contains("does not match its shape [2,16]", error);
    }

    [Fact]
    public async Task NestedDataMatchingShape_IsAnswered()
    {
        var row = "[" + string.Join(",", Enumerable.Repeat("0", 16)) + "]";

        var (status, _) = await PostAsync(_servers.Mlp, Body(Features(shape: "[2,16]", data: $"[{row},{row}]")));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task NumberOverflowingFp32_Is400_NotInfinity()
    {
        var (status, error) = await PostAsync(_servers.Mlp, Body(Features(data: "[1e300,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("input 'features': element 0 is not a valid FP32 value", error);
    }

    [Theory]
    [InlineData("70000")]
    [InlineData("1e300")]
    public async Task NumberOverflowingFp16_Is400_NotInfinity(string value)
    {
        var name = SampleModelCatalog.IdentityInputName(OnnxElementType.Float16);
        var body = $$"""{"inputs":[{"name":"{{name}}","shape":[1,2],"datatype":"FP16","data":[1.5,{{value}}]}]}""";

        var (status, error) = await PostAsync(_servers.Fp16, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"input '{name}': element 1 is not a valid FP16 value", error);
    }

    [Fact]
    public async Task ClassificationOutputParameter_Is400_NotIgnored()
    {
        var (status, error) = await PostAsync(_servers.Mlp, Body(Features(), ""","outputs":[{"name":"scores","parameters":{"classification":3}}]"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("parameter 'classification' is not supported", error);
    }

    [Fact]
    public async Task BytesInputOverTheElementLimit_Is400NamingTheLimit()
    {
        var name = SampleModelCatalog.IdentityInputName(OnnxElementType.String);
        var data = "[" + string.Join(",", Enumerable.Repeat("\"\"", 1001)) + "]";
        var body = $$"""{"inputs":[{"name":"{{name}}","shape":[1,1001],"datatype":"BYTES","data":{{data}}}]}""";

        var (status, error) = await PostAsync(_servers.Strings, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("holds 1001 BYTES elements, over the limit of 1000", error);
    }

    [Theory]
    [InlineData("GET", "/v2/nothing-here", HttpStatusCode.NotFound, "no such endpoint: GET /v2/nothing-here")]
    [InlineData("GET", "/v2/models/mlp/infer", HttpStatusCode.MethodNotAllowed, "method GET is not allowed on /v2/models/mlp/infer")]
    [InlineData("DELETE", "/v2/health/ready", HttpStatusCode.MethodNotAllowed, "method DELETE is not allowed")]
    public async Task UnknownPathsAndMethods_AnswerWithAJsonError(string method, string path, HttpStatusCode expected, string message)
    {
        var response = await _servers.Mlp.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task RepositoryIndex_IsServed_AsTheServerAdvertises()
    {
        var advertised = JsonNode.Parse(await _servers.Mlp.Http.GetStringAsync("/v2"))!["extensions"]!.AsArray().Select(e => e!.GetValue<string>());
        var index = await _servers.Mlp.Http.PostAsync("/v2/repository/index", OipJson.Raw("""{"ready":true}"""));
        var bad = await _servers.Mlp.Http.PostAsync("/v2/repository/index", OipJson.Raw("""{"ready":"yes"}"""));

        Assert.Contains("model_repository_metadata", advertised);
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        var model = JsonNode.Parse(await index.Content.ReadAsStringAsync())!.AsArray().Single()!;
        Assert.Equal("mlp", model["name"]!.GetValue<string>());
        Assert.Equal("READY", model["state"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
