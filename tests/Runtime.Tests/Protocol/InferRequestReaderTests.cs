using System.Runtime.InteropServices;
using System.Text;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Protocol;

/// <summary>Decoding and checking infer requests against the multi-io model (a, b FP32 [-1,3]; count INT32 [-1,1]).</summary>
public sealed class InferRequestReaderTests : IClassFixture<InferRequestReaderTests.MultiIoModel>
{
    private const string Count = """{"name":"count","shape":[1,1],"datatype":"INT32","data":[1]}""";
    private const string B = """{"name":"b","shape":[1,3],"datatype":"FP32","data":[1,2,3]}""";
    private readonly OnnxModel _model;

    public InferRequestReaderTests(MultiIoModel fixture) => _model = fixture.Model;

    public sealed class MultiIoModel : IDisposable
    {
        internal OnnxModel Model { get; } = OnnxModel.Load(ModelFiles.MultiIo, DeviceKind.Cpu, SessionTuning.ForServing());
        public void Dispose() => Model.Dispose();
    }

    private InferRequest Read(string json, byte[]? binary = null) => InferRequestReader.Read(Encoding.UTF8.GetBytes(json), binary ?? [], _model);

    private static string Request(string a) => $$"""{"inputs":[{{a}},{{B}},{{Count}}]}""";

    [Fact]
    public void NestedData_DecodesToTheSameTensorAsFlatData()
    {
        using var nested = Read(Request("""{"name":"a","shape":[2,3],"datatype":"FP32","data":[[1,2,3],[4,5,6.5]]}"""));
        using var flat = Read(Request("""{"name":"a","shape":[2,3],"datatype":"FP32","data":[1,2,3,4,5,6.5]}"""));

        var a1 = nested.Inputs.Single(i => i.Name == "a");
        var a2 = flat.Inputs.Single(i => i.Name == "a");
        Assert.Equal([2L, 3L], a1.Shape);
        Assert.Equal(new[] { 1f, 2, 3, 4, 5, 6.5f }, MemoryMarshal.Cast<byte, float>(a1.Bytes).ToArray());
        Assert.Equal(a2.Bytes.ToArray(), a1.Bytes.ToArray());
    }

    [Fact]
    public void FieldsInAnyOrder_AndDataBeforeDatatype_AreAccepted()
    {
        using var request = Read(Request("""{"data":[7,8,9],"shape":[1,3],"name":"a","datatype":"FP32"}"""));

        Assert.Equal(new[] { 7f, 8, 9 }, MemoryMarshal.Cast<byte, float>(request.Inputs.Single(i => i.Name == "a").Bytes).ToArray());
    }

    [Fact]
    public void NoOutputsNamed_ReturnsEveryModelOutput_AsJson()
    {
        using var request = Read(Request("""{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3]}"""));

        Assert.Equal(_model.OutputNames, request.Outputs.Select(o => o.Name));
        Assert.All(request.Outputs, o => Assert.False(o.Binary));
    }

    [Fact]
    public void BinaryInput_IsReadFromTheBinarySection()
    {
        var bytes = MemoryMarshal.AsBytes(new[] { 1f, 2f, 3f }.AsSpan()).ToArray();
        using var request = Read(Request("""{"name":"a","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}"""), bytes);

        Assert.Equal(bytes, request.Inputs.Single(i => i.Name == "a").Bytes.ToArray());
    }

    public static TheoryData<string, string, string> BadRequests() => new()
    {
        { "malformed JSON", """{"inputs":[""", "malformed JSON" },
        { "not an object", """[1,2]""", "must be a JSON object" },
        { "unknown input", Request("""{"name":"c","shape":[1,3],"datatype":"FP32","data":[1,2,3]}"""), "unknown input 'c'" },
        { "missing input", $$"""{"inputs":[{{B}},{{Count}}]}""", "missing input(s): a" },
        { "input given twice", $$"""{"inputs":[{{B}},{{B}},{{Count}}]}""", "input 'b' is given twice" },
        { "wrong datatype", Request("""{"name":"a","shape":[1,3],"datatype":"FP64","data":[1,2,3]}"""), "has datatype FP64, but the model expects FP32" },
        { "unknown datatype", Request("""{"name":"a","shape":[1,3],"datatype":"FLOAT","data":[1,2,3]}"""), "unknown datatype 'FLOAT'" },
        { "shape does not fit model", Request("""{"name":"a","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}"""), "does not fit the model's shape [-1,3]" },
        { "rank does not fit model", Request("""{"name":"a","shape":[3],"datatype":"FP32","data":[1,2,3]}"""), "does not fit the model's shape" },
        { "too few elements", Request("""{"name":"a","shape":[2,3],"datatype":"FP32","data":[1,2,3]}"""), "needs 6 elements but data has 3" },
        { "too many elements", Request("""{"name":"a","shape":[1,3],"datatype":"FP32","data":[[1,2,3],[4]]}"""), "needs 3 elements but data has 4" },
        { "element of wrong type", Request("""{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,"x",3]}"""), "element 1 is not a valid FP32" },
        { "integer out of range", $$"""{"inputs":[{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3]},{{B}},{"name":"count","shape":[1,1],"datatype":"INT32","data":[3000000000]}]}""", "element 0 is not a valid INT32" },
        { "no shape", Request("""{"name":"a","datatype":"FP32","data":[1,2,3]}"""), "has no 'shape'" },
        { "negative dim", Request("""{"name":"a","shape":[-1,3],"datatype":"FP32","data":[1,2,3]}"""), "non-negative integers" },
        { "no data", Request("""{"name":"a","shape":[1,3],"datatype":"FP32"}"""), "neither 'data' nor a 'binary_data_size'" },
        { "data not an array", Request("""{"name":"a","shape":[1,3],"datatype":"FP32","data":5}"""), "data must be an array" },
        { "unknown output", Request("""{"name":"a","shape":[1,3],"datatype":"FP32","data":[1,2,3]}""").TrimEnd('}') + ""","outputs":[{"name":"nope"}]}""", "unknown output 'nope'" },
        { "binary size past the end", Request("""{"name":"a","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}"""), "goes past the end of the binary section" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void BadRequest_IsRefusedWith400_NamingTheProblem(string scenario, string json, string expected)
    {
        var error = Assert.Throws<ProtocolException>(() => Read(json));

        Assert.Equal(400, error.StatusCode);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{scenario}: '{error.Message}' does not say '{expected}'");
    }

    [Fact]
    public void BinarySizeNotMatchingShape_IsRefused()
    {
        var error = Assert.Throws<ProtocolException>(() =>
            Read(Request("""{"name":"a","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":8}}"""), new byte[8]));

        Assert.Contains("needs 12 bytes but binary_data_size is 8", error.Message);
    }

    [Fact]
    public void BinarySectionLongerThanDeclared_IsRefused()
    {
        var error = Assert.Throws<ProtocolException>(() =>
            Read(Request("""{"name":"a","shape":[1,3],"datatype":"FP32","parameters":{"binary_data_size":12}}"""), new byte[16]));

        Assert.Contains("binary section has 16 bytes", error.Message);
    }
}
