using System.Text.Json.Nodes;
using Google.Protobuf;
using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.Server;

/// <summary>
/// Every request rule that is not about one protocol's encoding, as one table: each row is a REST JSON body, and its
/// gRPC twin is made from the same JSON (<see cref="ToGrpc"/>), so a rule added to the table is checked over both.
/// </summary>
internal static class HostileRequestRuleTable
{
    /// <summary>Which server of <see cref="HostileRequestTests.Servers"/> the row goes to.</summary>
    public const string Mlp = "mlp", Strings = "strings";

    private static string StringInput => SampleModelCatalog.IdentityInputName(OnnxElementType.String);

    private static string Features(string shape = "[1,16]", string data = "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]", string extra = "") =>
        $$"""{"name":"features","shape":{{shape}},"datatype":"FP32","data":{{data}}{{extra}}}""";

    private static string Body(string input, string rest = "") => $$"""{"inputs":[{{input}}]{{rest}}}""";

    private static readonly string LongName = new('n', 1_000_000);

    /// <summary>Rule, server, REST body, and what both protocols' error must contain.</summary>
    public static TheoryData<string, string, string, string> Rules() => new()
    {
        { "element count past 64 bits", Mlp, Body(Features(shape: "[9223372036854775807,16]", data: "[0]")), "input 'features': 'shape' [9223372036854775807,16] has more elements than a tensor can hold" },
        { "element count past 64 bits by a product", Mlp, Body(Features(shape: "[4611686018427387904,16]", data: "[0]")), "has more elements than a tensor can hold" },
        { "numeric tensor over 2 GB", Mlp, Body(Features(shape: "[144115188075855873,16]", data: "[0]")), "input 'features': shape [144115188075855873,16] of FP32 is over 2 GB" },
        { "huge shape, tiny data", Mlp, Body(Features(shape: "[10000000,16]", data: "[1]")), "input 'features': shape [10000000,16]" },
        { "negative dimension", Mlp, Body(Features(shape: "[-5,16]", data: "[0]")), "input 'features': 'shape' must hold non-negative integers" },
        { "BYTES elements over --max-bytes-elements", Strings,
            $$"""{"inputs":[{"name":"{{StringInput}}","shape":[1,1001],"datatype":"BYTES","data":[{{string.Join(",", Enumerable.Repeat("\"\"", 1001))}}]}]}""",
            "holds 1001 BYTES elements, over the limit of 1000" },
        { "BYTES shape over --max-bytes-elements, one element sent", Strings,
            $$"""{"inputs":[{"name":"{{StringInput}}","shape":[1,1001],"datatype":"BYTES","data":[""]}]}""",
            $"input '{StringInput}': shape [1,1001] holds 1001 BYTES elements, over the limit of 1000" },
        { "request parameter sequence_id", Mlp, Body(Features(), ""","parameters":{"sequence_id":7}"""), "the request: parameter 'sequence_id' is not supported by this runtime" },
        { "request parameter sequence_start", Mlp, Body(Features(), ""","parameters":{"sequence_start":true}"""), "the request: parameter 'sequence_start' is not supported by this runtime" },
        { "input parameter shared_memory_region", Mlp, Body(Features(extra: ""","parameters":{"shared_memory_region":"r"}""")), "input 'features': parameter 'shared_memory_region' is not supported by this runtime" },
        { "output parameter classification", Mlp, Body(Features(), ""","outputs":[{"name":"scores","parameters":{"classification":3}}]"""), "output 'scores': parameter 'classification' is not supported" },
        { "unknown input", Mlp, Body("""{"name":"image","shape":[1,16],"datatype":"FP32","data":[0]}"""), "unknown input 'image'; the model's inputs are: features" },
        { "unknown input with a huge name", Mlp, Body($$"""{"name":"{{LongName}}","shape":[1,16],"datatype":"FP32","data":[0]}"""), "more characters cut)'; the model's inputs are: features" },
        { "unknown datatype", Mlp, Body("""{"name":"features","shape":[1,16],"datatype":"FLOAT32","data":[0]}"""), "input 'features': unknown datatype 'FLOAT32'" },
        { "unknown datatype, huge", Mlp, Body($$"""{"name":"features","shape":[1,16],"datatype":"{{LongName}}","data":[0]}"""), "more characters cut)" },
        { "wrong datatype", Mlp, Body("""{"name":"features","shape":[1,16],"datatype":"FP64","data":[0]}"""), "input 'features' has datatype FP64, but the model expects FP32" },
        { "wrong shape", Mlp, Body(Features(shape: "[1,15]")), "input 'features' has shape [1,15], which does not fit the model's shape [-1,16]" },
        { "missing input", Mlp, """{"inputs":[]}""", "missing input(s): features" },
        { "input given twice", Mlp, """{"inputs":[""" + Features() + "," + Features() + "]}", "input 'features' is given twice" },
        { "unknown output", Mlp, Body(Features(), ""","outputs":[{"name":"logits"}]"""), "unknown output 'logits'; the model's outputs are: scores" },
        { "unknown output with a huge name", Mlp, Body(Features(), $$""","outputs":[{"name":"{{LongName}}"}]"""), "more characters cut)'; the model's outputs are: scores" },
        { "output requested twice", Mlp, Body(Features(), ""","outputs":[{"name":"scores"},{"name":"scores"}]"""), "output 'scores' is requested twice" },
    };

    /// <summary>The gRPC request saying what <paramref name="json"/> says: typed contents, parameters by their JSON type.</summary>
    public static ModelInferRequest ToGrpc(string model, string json)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        var request = new ModelInferRequest { ModelName = model };
        if (body["id"] is { } id) request.Id = id.GetValue<string>();
        AddParameters(body["parameters"], request.Parameters);
        foreach (var node in body["inputs"]?.AsArray() ?? [])
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = node!["name"]!.GetValue<string>(), Datatype = node["datatype"]!.GetValue<string>() };
            input.Shape.Add(node["shape"]!.AsArray().Select(d => d!.GetValue<long>()));
            AddParameters(node["parameters"], input.Parameters);
            input.Contents = new InferTensorContents();
            foreach (var value in Flatten(node["data"]))
            {
                switch (input.Datatype)
                {
                    case "BYTES": input.Contents.BytesContents.Add(ByteString.CopyFromUtf8(value!.GetValue<string>())); break;
                    case "FP64": input.Contents.Fp64Contents.Add(value!.GetValue<double>()); break;
                    default: input.Contents.Fp32Contents.Add((float)value!.GetValue<double>()); break;
                }
            }
            request.Inputs.Add(input);
        }
        foreach (var node in body["outputs"]?.AsArray() ?? [])
        {
            var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = node!["name"]!.GetValue<string>() };
            AddParameters(node["parameters"], output.Parameters);
            request.Outputs.Add(output);
        }
        return request;
    }

    private static IEnumerable<JsonNode?> Flatten(JsonNode? data) =>
        data is JsonArray array ? array.SelectMany(Flatten) : data is null ? [] : [data];

    private static void AddParameters(JsonNode? parameters, Google.Protobuf.Collections.MapField<string, InferParameter> into)
    {
        foreach (var (name, value) in parameters?.AsObject() ?? [])
            into[name] = value!.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => new InferParameter { BoolParam = value.GetValue<bool>() },
                System.Text.Json.JsonValueKind.Number => new InferParameter { Int64Param = value.GetValue<long>() },
                _ => new InferParameter { StringParam = value.GetValue<string>() },
            };
    }
}
