using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging.Compression;
using ModelOperator.Runtime.Packaging.Onnx;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>The ONNX protobuf model: a read and write loses nothing; the weight arithmetic of int8 quantisation.</summary>
public sealed class OnnxRewriteTests
{
    public static TheoryData<string> SampleModels() => new(SampleModelCatalog.All.Select(m => m.Name));

    [Theory]
    [MemberData(nameof(SampleModels))]
    public void ReadWrite_EverySampleModel_GivesTheSameBytes(string name)
    {
        var original = SampleModelCatalog.Get(name).Build();
        var model = OnnxModel.Parse(original);
        // Touch every node, initializer and value info so that each is parsed and re-encoded, not copied through.
        foreach (var node in model.Graph.Nodes) _ = OnnxNode.Inputs(node);
        foreach (var tensor in model.Graph.Initializers) _ = new OnnxTensor(tensor).Dims;
        foreach (var info in model.Graph.Inputs.Concat(model.Graph.Outputs)) _ = info.Message(OnnxFields.ValueInfoType)?.Message(OnnxFields.TypeTensor);

        Assert.Equal(original, model.ToByteArray());
    }

    [Fact]
    public void ReadWrite_RebuiltGraph_AnswersIdenticallyInOnnxRuntime()
    {
        using var dir = new TempDir();
        var original = dir.WriteModel("cnn.onnx", SampleModelCatalog.MnistCnn());
        var model = OnnxModel.Load(original);
        model.Graph.SetNodes(model.Graph.Nodes);
        model.Graph.SetInitializers(model.Graph.Initializers.Select(t => OnnxTensor.Create<float>(new OnnxTensor(t).Name, OnnxDataType.Float,
            new OnnxTensor(t).Dims, new OnnxTensor(t).ReadFloats(null))));
        var rewritten = dir["rewritten.onnx"];
        model.Save(rewritten);

        var expected = ModelRunner.Run(original, "input", [2, 1, 28, 28]);
        var actual = ModelRunner.Run(rewritten, "input", [2, 1, 28, 28]);

        Assert.Equal(expected["probabilities"], actual["probabilities"]);
    }

    [Fact]
    public void Parse_TruncatedBytes_IsRefusedWithAClearError()
    {
        var bytes = SampleModelCatalog.Mlp()[..100];

        var error = Assert.Throws<ProtoFormatException>(() => OnnxModel.Parse(bytes));

        Assert.Contains("past the end", error.Message);
    }

    [Theory]
    [InlineData(new float[] { 1f, -2f, 0.5f, 4f }, true, new sbyte[] { 127, -64, 64, 127 }, new[] { 1f / 127, 4f / 127 })]
    [InlineData(new float[] { 1f, -2f, 0.5f, 4f }, false, new sbyte[] { 64, -127, 16, 127 }, new[] { 2f / 127, 4f / 127 })]
    [InlineData(new float[] { 0f, 0f, 0f, 0f }, true, new sbyte[] { 0, 0, 0, 0 }, new[] { 1f, 1f })]
    [InlineData(new float[] { 127f, -127f, -127f, 127f }, true, new sbyte[] { 127, -127, -127, 127 }, new[] { 1f, 1f })]
    public void Quantize_PerChannel_ScalesEachChannelByItsLargestMagnitude(float[] values, bool perColumn, sbyte[] expected, float[] expectedScales)
    {
        var (quantized, scales) = WeightQuantization.Quantize(values, 2, 2, perColumn);

        Assert.Equal(expected, quantized);
        Assert.Equal(expectedScales, scales);
    }

    [Fact]
    public void QuantizePerAxis_ScalesEachIndexAlongTheAxisByItsLargestMagnitude()
    {
        // dims [2, 2, 2], axis 1: channel 0 holds {1, -2, 4, 0.5}, channel 1 holds {8, 1, -1, 2}.
        float[] values = [1f, -2f, 8f, 1f, 4f, 0.5f, -1f, 2f];

        var (quantized, scales) = WeightQuantization.QuantizePerAxis(values, [2, 2, 2], axis: 1);

        Assert.Equal([4f / 127, 8f / 127], scales);
        Assert.Equal(new sbyte[] { 32, -64, 127, 16, 127, 16, -16, 32 }, quantized);
    }

    [Fact]
    public void Permute_MovesAxesAsOnnxTransposeDoes()
    {
        float[] values = [0, 1, 2, 3, 4, 5]; // [2, 3]

        var (transposed, dims) = WeightQuantization.Permute(values, [2, 3], []);
        var (same, sameDims) = WeightQuantization.Permute(values, [1, 2, 3], [0, 1, 2]);
        var (moved, movedDims) = WeightQuantization.Permute(values, [1, 2, 3], [2, 0, 1]);

        Assert.Equal([0f, 3, 1, 4, 2, 5], transposed);
        Assert.Equal([3L, 2], dims);
        Assert.Equal(values, same);
        Assert.Equal([1L, 2, 3], sameDims);
        Assert.Equal([0f, 3, 1, 4, 2, 5], moved);
        Assert.Equal([3L, 1, 2], movedDims);
    }

    [Fact]
    public void OutputComparison_ClassScoresOfRankThree_CompareTheTopClassAtEveryPosition()
    {
        // [1 batch, 3 positions, 2 classes]: the compressed model flips position 2 only.
        double[] original = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
        double[] compressed = [0.8, 0.2, 0.3, 0.7, 0.4, 0.6];
        var scores = new OutputComparison("probabilities", classScores: true);
        var other = new OutputComparison("feature_map");

        scores.Add(original, compressed, [1, 3, 2], floatingPoint: true);
        other.Add(original, compressed, [1, 3, 2], floatingPoint: true);

        var result = scores.Result();
        Assert.Equal(0.2, result.MaxAbsDifference, 9);
        Assert.Equal(3, result.Rows);
        Assert.Equal(2.0 / 3, result.Top1Agreement!.Value, 9);
        Assert.Null(other.Result().Top1Agreement);
    }
}
