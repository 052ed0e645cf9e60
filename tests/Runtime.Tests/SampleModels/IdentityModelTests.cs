using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class IdentityModelTests
{
    public static TheoryData<OnnxElementType> Types() => new(SampleModelCatalog.IdentityDatatypes.Select(t => t.Type));

    [Fact]
    public void Datatypes_CoverEveryOpenInferenceProtocolType()
    {
        Assert.Equal(
            ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"],
            SampleModelCatalog.IdentityDatatypes.Select(t => t.Datatype));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Identity_DeclaresItsTypeWithDynamicShape_AndReturnsItsInputUnchanged(OnnxElementType type)
    {
        using var session = new OrtSession(SampleModelCatalog.Identity(type));
        var (input, output) = (SampleModelCatalog.IdentityInputName(type), SampleModelCatalog.IdentityOutputName(type));
        OrtSession.AssertTensor(session.Inputs, input, (Microsoft.ML.OnnxRuntime.Tensors.TensorElementType)type, -1, -1);
        OrtSession.AssertTensor(session.Outputs, output, (Microsoft.ML.OnnxRuntime.Tensors.TensorElementType)type, -1, -1);
        var (value, assertEqualsInput) = DatatypeSamples.Make(type, rows: 3, width: 5);

        using var results = session.Run((input, value));

        assertEqualsInput(results, output);
    }

    [Fact]
    public void AllDatatypes_PassesEveryTypeThrough_EachWithItsOwnWidth()
    {
        using var session = new OrtSession(SampleModelCatalog.AllDatatypes());
        var types = SampleModelCatalog.IdentityDatatypes.Select(t => t.Type).ToArray();
        Assert.Equal(types.Select(SampleModelCatalog.IdentityInputName), session.Inputs.Keys);
        Assert.Equal(types.Select(SampleModelCatalog.IdentityOutputName), session.Outputs.Keys);
        var samples = types.Select((type, i) => (Type: type, Sample: DatatypeSamples.Make(type, rows: 2, width: 1 + i % 4))).ToArray();

        using var results = session.Run(samples.Select(s => (SampleModelCatalog.IdentityInputName(s.Type), s.Sample.Input)).ToArray());

        foreach (var (type, sample) in samples) sample.AssertEqualsInput(results, SampleModelCatalog.IdentityOutputName(type));
    }
}
