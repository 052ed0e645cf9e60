using System.Text;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Shadow;
using Xunit;

namespace ModelOperator.Runtime.Tests.Shadow;

/// <summary>Both sides of a comparison decoded alike: the stable's output tensors and the shadow's response, JSON or binary.</summary>
public sealed class AnswerTensorsTests
{
    [Fact]
    public void JsonResponse_ValuesAreTheFloatsTheShadowComputed_NotTheirDecimals()
    {
        var answer = Assert.Single(AnswerTensors.FromResponse(
            """{"model_name":"m","outputs":[{"name":"p","datatype":"FP32","shape":[1,3],"data":[0.1,"NaN",[1]]}]}"""u8, null));
        Assert.Equal(("p", "FP32"), (answer.Name, answer.Datatype));
        Assert.Equal([1L, 3], answer.Shape);
        Assert.Equal((double)0.1f, answer.Values![0]);
        Assert.True(double.IsNaN(answer.Values[1]));
        Assert.Equal(1, answer.Values[2]);
    }

    [Fact]
    public void BinaryResponse_ReadsEachOutputsBytesInOrder_BesideJsonOutputs()
    {
        var header = """{"outputs":[{"name":"a","datatype":"INT64","shape":[2],"parameters":{"binary_data_size":16}},{"name":"b","datatype":"BOOL","shape":[1],"data":[true]},{"name":"c","datatype":"FP16","shape":[1],"parameters":{"binary_data_size":2}}]}""";
        var binary = BitConverter.GetBytes(5L).Concat(BitConverter.GetBytes(-3L)).Concat(BitConverter.GetBytes((Half)0.5)).ToArray();
        var body = Encoding.UTF8.GetBytes(header).Concat(binary).ToArray();
        var answers = AnswerTensors.FromResponse(body, Encoding.UTF8.GetByteCount(header));
        Assert.Equal([5.0, -3.0], answers[0].Values!);
        Assert.Equal([1.0], answers[1].Values!);
        Assert.Equal([0.5], answers[2].Values!);
    }

    [Theory]
    [InlineData("""{"error":"model not ready"}""", "the response has no 'outputs' array")]
    [InlineData("""{"outputs":[{"name":"p","datatype":"FP32","shape":[2],"data":[1]}]}""", "output 'p' has 1 values for shape [2]")]
    [InlineData("""{"outputs":[{"name":"p","datatype":"FP32","shape":[1],"parameters":{"binary_data_size":4}}]}""", "output 'p' claims 4 binary bytes past the body's end")]
    public void NotAnAnswer_IsAFormatException_ThatSaysWhy(string body, string message)
    {
        var e = Assert.Throws<FormatException>(() => AnswerTensors.FromResponse(Encoding.UTF8.GetBytes(body), body.Contains("binary_data_size") ? body.Length : null));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void StableOutputTensor_IsCopied_SoItsPooledBufferCanGoBack()
    {
        using var t = TensorData.Rent("p", Datatype.Fp32, [1, 2]);
        BitConverter.GetBytes(0.25f).CopyTo(t.Bytes);
        BitConverter.GetBytes(0.75f).CopyTo(t.Bytes[4..]);
        var answer = AnswerTensors.From(t);
        t.Bytes.Clear();
        Assert.Equal(new[] { 0.25, 0.75 }, answer.Values!);
        Assert.Equal("FP32", answer.Datatype);
    }
}
