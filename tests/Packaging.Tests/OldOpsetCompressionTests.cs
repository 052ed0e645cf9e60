using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Packaging.Compression;
using ModelOperator.Runtime.Packaging.Onnx;
using ModelOperator.SampleModels;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>
/// <c>pack --quantize int8</c> and <c>--fp16</c> on models exported at older opsets (7, 9, 11, 13): the recogniser
/// sample holds Conv+BatchNormalization, a Constant-node weight behind a Transpose, attention, a shared weight, an LSTM,
/// a Softmax over the last axis and a Gemm. The variant keeps the model's opset and answers as the float model does.
/// </summary>
public sealed class OldOpsetCompressionTests
{
    public static TheoryData<long> Opsets() => new(SampleModelCatalog.SequenceRecogniserOpsets);

    private static Task<PackResult> PackAsync(string onnx, string output, CompressionRequest compression) =>
        ModelPacker.PackAsync(new PackRequest(onnx, "recogniser", "1.0", output, Compression: compression), CancellationToken.None);

    private static string ModelIn(string packageDir, PackResult packed) => Path.Combine(packageDir, "blobs", "sha256", packed.Config.Config.Sha256);

    [Theory]
    [MemberData(nameof(Opsets))]
    public async Task Int8_OldOpsetRecogniser_IsQuantisedKeepsItsOpsetAndAnswersAsTheFloatModel(long opset)
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel($"recogniser-{opset}.onnx", SampleModelCatalog.SequenceRecogniser(opset));

        var packed = await PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8, MinAgreement: 0.95));

        var report = packed.Config.Config.Compression!;
        Assert.InRange(report.SizeRatio, 0.2, 0.35);
        // Conv, LSTM (weight-only); the Constant-node projection, two MatMuls sharing a weight, the classifier, the Gemm (integer).
        Assert.Equal(7, report.RewrittenOperators);
        Assert.Equal(2, report.LeftFloat.Count);
        Assert.All(report.LeftFloat, f => Assert.Contains("activation × activation", f));
        Assert.Contains(report.Done!, d => d.Contains($"default opset {opset} kept"));
        Assert.Contains(report.Done!, d => d.StartsWith("1 Gemm, 4 MatMul → com.microsoft.DynamicQuantizeMatMul"));
        Assert.Contains(report.Done!, d => d.StartsWith("1 Conv, 1 LSTM: weight-only int8"));
        if (opset < 9) Assert.Contains(report.Done!, d => d.StartsWith("IR version 3 → 4"));
        var probabilities = report.Outputs.Single(o => o.Name == "probabilities");
        Assert.Equal(SyntheticInputs.DefaultSamples * SyntheticInputs.DefaultBatch * 32, probabilities.Rows);
        Assert.InRange(probabilities.Top1Agreement!.Value, 0.95, 1.0);
        Assert.InRange(report.Outputs.Single(o => o.Name == "line_scores").Top1Agreement!.Value, 0.95, 1.0);

        var model = OnnxModel.Load(ModelIn(dir["int8"], packed));
        Assert.Equal(opset, model.DefaultOpset);
        Assert.Equal(1, model.OpsetOf(Int8Quantizer.ContribDomain));
        Assert.Equal(5, model.Graph.Nodes.Count(n => OnnxNode.OpType(n) == "DynamicQuantizeMatMul" && OnnxNode.Domain(n) == Int8Quantizer.ContribDomain));
        AssertAnswersAlike(onnx, ModelIn(dir["int8"], packed), report);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public async Task Fp16_OldOpsetRecogniser_KeepsItsOpsetAndAnswersWithinFloat16Tolerance(long opset)
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel($"recogniser-{opset}.onnx", SampleModelCatalog.SequenceRecogniser(opset));

        var packed = await PackAsync(onnx, dir["fp16"], new CompressionRequest(CompressionMethod.Fp16, MaxDrift: 0.01, MinAgreement: 0.99));

        var report = packed.Config.Config.Compression!;
        Assert.InRange(report.SizeRatio, 0.45, 0.55);
        Assert.All(report.Outputs, o => Assert.Equal(1.0, o.Top1Agreement!.Value, 2));
        Assert.Equal(opset, OnnxModel.Load(ModelIn(dir["fp16"], packed)).DefaultOpset);
        AssertAnswersAlike(onnx, ModelIn(dir["fp16"], packed), report);
    }

    [Fact]
    public void Quantize_IrThreeModelWithAConstantNodeWeightBehindATranspose_QuantisesEveryConstantWeight()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("recogniser-7.onnx", SampleModelCatalog.SequenceRecogniser(7));
        var model = OnnxModel.Load(onnx);

        // Straight into the quantiser, without ONNX Runtime's constant folding first: its own preparation must find the weights.
        var outcome = Int8Quantizer.Quantize(model);
        model.Save(dir["int8.onnx"]);

        Assert.Equal(7, outcome.Rewritten);
        Assert.Equal(2, outcome.LeftFloat.Count);
        Assert.Contains(outcome.Done!, d => d.StartsWith("IR version 3 → 4"));
        Assert.Contains(outcome.Done!, d => d.StartsWith("1 Constant nodes read as initializers"));
        Assert.Contains(outcome.Done!, d => d.StartsWith("1 Transpose of constant weights computed at pack time"));
        Assert.Equal(4, model.IrVersion);
        Assert.DoesNotContain(model.Graph.Nodes, n => OnnxNode.OpType(n) == "Constant");
        Assert.Equal(["image"], model.Graph.Inputs.Select(i => OnnxGraph.NameOf(i, OnnxFields.ValueInfoName)));
        Assert.DoesNotContain(model.Graph.Initializers, t => new OnnxTensor(t).Name is "proj.weight" or "shared.weight" or "conv.weight" or "lstm.W");
        var expected = ModelRunner.Run(onnx, "image", [2, 1, 8, 32]);
        var actual = ModelRunner.Run(dir["int8.onnx"], "image", [2, 1, 8, 32]);
        Assert.InRange(ModelRunner.MaxAbsDifference(expected["probabilities"], actual["probabilities"]), 1e-7, 0.05);
    }

    [Fact]
    public async Task MinAgreement_Missed_RefusesAndLeavesNothingBehind()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("recogniser-9.onnx", SampleModelCatalog.SequenceRecogniser(9));
        var before = Directory.GetFileSystemEntries(dir.Path).Order().ToList();

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8, MinAgreement: 0.999)));

        Assert.Matches(@"agrees with the original on the top-1 class of 9\d\.\d ?% of 4096 rows of output 'probabilities', under --min-agreement 0\.999", error.Message);
        Assert.Contains("no package was written", error.Message);
        Assert.Equal(before, Directory.GetFileSystemEntries(dir.Path).Order().ToList());
    }

    [Fact]
    public async Task MinAgreement_OnAModelWithoutClassScores_IsRefusedNamingItsOutputs()
    {
        using var dir = new TempDir();
        var onnx = dir.WriteModel("int64.onnx", SampleModelCatalog.Int64Model());

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            PackAsync(onnx, dir["fp16"], new CompressionRequest(CompressionMethod.Fp16, MinAgreement: 0.9)));

        Assert.Contains("--min-agreement 0.9 needs an output of class scores", error.Message);
        Assert.Contains("'mean'", error.Message);
        Assert.False(Directory.Exists(dir["fp16"]));
    }

    [Theory]
    [InlineData("GRU", 7)]
    [InlineData("RNN", 9)]
    [InlineData("ConvTranspose", 11)]
    public async Task Int8_RecurrentAndTransposedConvWeights_AreStoredAsInt8WithFloatCompute(string op, long opset)
    {
        using var dir = new TempDir();
        var random = new Random(5);
        float[] Weights(int count, double limit) => Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * limit)).ToArray();
        var graph = new SampleModels.Onnx.OnnxGraphBuilder("weights", opset, opset < 9 ? 3 : 4);
        const int steps = 6, inputs = 16, hidden = 32;
        if (op == "ConvTranspose")
        {
            graph.Input("x", SampleModels.Onnx.OnnxElementType.Float, SampleModels.Onnx.TensorDim.Dynamic("batch"), 8, 6, 6)
                .Output("y", SampleModels.Onnx.OnnxElementType.Float, SampleModels.Onnx.TensorDim.Dynamic("batch"), 16, 8, 8);
            graph.Node("ConvTranspose", ["x", graph.Initializer("w", Weights(8 * 16 * 3 * 3, 0.3), 8, 16, 3, 3)], "y");
        }
        else
        {
            var gates = op == "GRU" ? 3 : 1;
            graph.Input("x", SampleModels.Onnx.OnnxElementType.Float, steps, 2, inputs)
                .Output("y", SampleModels.Onnx.OnnxElementType.Float, steps, 1, 2, hidden);
            graph.Node(op, ["x", graph.Initializer("W", Weights(gates * hidden * inputs, 0.4), 1, gates * hidden, inputs),
                graph.Initializer("R", Weights(gates * hidden * hidden, 0.3), 1, gates * hidden, hidden)], "y",
                SampleModels.Onnx.OnnxAttribute.Int("hidden_size", hidden));
        }
        var onnx = dir.WriteModel($"{op}.onnx", graph.ToModelBytes(op));
        var shape = op == "ConvTranspose" ? new[] { 2, 8, 6, 6 } : [steps, 2, inputs];

        var packed = await PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8,
            MaxDrift: 0.05));

        var report = packed.Config.Config.Compression!;
        Assert.Equal(1, report.RewrittenOperators);
        Assert.Empty(report.LeftFloat);
        Assert.Contains(report.Done!, d => d.StartsWith($"1 {op}: weight-only int8"));
        Assert.InRange(report.SizeRatio, 0.2, 0.5);
        var model = OnnxModel.Load(ModelIn(dir["int8"], packed));
        Assert.Equal(opset, model.DefaultOpset);
        Assert.Contains(model.Graph.Nodes, n => OnnxNode.OpType(n) == op);
        Assert.DoesNotContain(model.Graph.Initializers, t => new OnnxTensor(t).DataType == OnnxDataType.Float && new OnnxTensor(t).ElementCount > 1000);
        var measured = ModelRunner.MaxAbsDifference(ModelRunner.Run(onnx, "x", shape)["y"], ModelRunner.Run(ModelIn(dir["int8"], packed), "x", shape)["y"]);
        Assert.InRange(measured, 1e-7, 0.05);
    }

    [Fact]
    public async Task Int8_ConvWeightsReadInsideAnIf_AreStoredAsInt8AndDecodedOutsideIt()
    {
        using var dir = new TempDir();
        var random = new Random(3);
        var weight = Enumerable.Range(0, 32 * 16 * 3 * 3).Select(_ => (float)(random.NextDouble() - 0.5) / 6).ToArray();
        var then = Graph("then", [OnnxNode.Create("Conv", "conv_then", ["x", "w"], ["y_then"])], "y_then");
        var otherwise = Graph("else", [OnnxNode.Create("Conv", "conv_else", ["x", "w"], ["conv_else"]), OnnxNode.Create("Relu", "relu_else", ["conv_else"], ["y_else"])], "y_else");
        var main = Graph("main", [OnnxNode.Create("If", "branch", ["flag"], ["y"], GraphAttribute("then_branch", then), GraphAttribute("else_branch", otherwise))], "y");
        main.Add(ProtoField.OfMessage(OnnxFields.GraphInitializer, OnnxTensor.Create<float>("w", OnnxDataType.Float, [32, 16, 3, 3], weight)));
        main.Add(ProtoField.OfMessage(OnnxFields.GraphInput, ValueInfo("x", OnnxDataType.Float, 2, 16, 6, 6)));
        main.Add(ProtoField.OfMessage(OnnxFields.GraphInput, ValueInfo("flag", (OnnxDataType)9)));
        var model = new ProtoMessage();
        model.SetInt(OnnxFields.ModelIrVersion, 8);
        model.Add(ProtoField.OfMessage(OnnxFields.ModelGraph, main));
        var opset = new ProtoMessage();
        opset.SetString(OnnxFields.OpsetDomain, "");
        opset.SetInt(OnnxFields.OpsetVersion, 13);
        model.Add(ProtoField.OfMessage(OnnxFields.ModelOpsetImport, opset));
        var onnx = dir.WriteModel("if.onnx", model.ToByteArray());

        var packed = await PackAsync(onnx, dir["int8"], new CompressionRequest(CompressionMethod.Int8, MaxDrift: 0.05));

        var report = packed.Config.Config.Compression!;
        Assert.Equal(2, report.RewrittenOperators);
        Assert.Empty(report.LeftFloat);
        Assert.Contains(report.Done!, d => d.StartsWith("2 Conv (in sub-graphs): weight-only int8"));
        Assert.InRange(report.SizeRatio, 0.2, 0.35);
        Assert.InRange(report.MaxDrift, 1e-7, 0.05);
        var compressed = OnnxModel.Load(ModelIn(dir["int8"], packed));
        Assert.DoesNotContain(compressed.Graph.Initializers, t => new OnnxTensor(t).DataType == OnnxDataType.Float && new OnnxTensor(t).ElementCount > 32);
        Assert.Equal(["Cast", "Mul", "If"], compressed.Graph.Nodes.Select(OnnxNode.OpType));
    }

    private static ProtoMessage Graph(string name, IEnumerable<ProtoMessage> nodes, string output)
    {
        var graph = new ProtoMessage();
        foreach (var node in nodes) graph.Add(ProtoField.OfMessage(OnnxFields.GraphNode, node));
        graph.SetString(OnnxFields.GraphName, name);
        graph.Add(ProtoField.OfMessage(OnnxFields.GraphOutput, ValueInfo(output, OnnxDataType.Float, 2, 32, 4, 4)));
        return graph;
    }

    private static ProtoMessage GraphAttribute(string name, ProtoMessage graph)
    {
        var attribute = new ProtoMessage();
        attribute.SetString(OnnxFields.AttributeName, name);
        attribute.Add(ProtoField.OfMessage(OnnxFields.AttributeG, graph));
        attribute.SetInt(OnnxFields.AttributeType, 5); // GRAPH
        return attribute;
    }

    private static ProtoMessage ValueInfo(string name, OnnxDataType type, params long[] dims)
    {
        var shape = new ProtoMessage();
        foreach (var d in dims)
        {
            var dim = new ProtoMessage();
            dim.SetInt(1, d); // dim_value
            shape.Add(ProtoField.OfMessage(1, dim));
        }
        var tensor = new ProtoMessage();
        tensor.SetInt(OnnxFields.TypeTensorElemType, (long)type);
        tensor.Add(ProtoField.OfMessage(2, shape)); // shape
        var typeProto = new ProtoMessage();
        typeProto.Add(ProtoField.OfMessage(OnnxFields.TypeTensor, tensor));
        var info = new ProtoMessage();
        info.SetString(OnnxFields.ValueInfoName, name);
        info.Add(ProtoField.OfMessage(OnnxFields.ValueInfoType, typeProto));
        return info;
    }

    /// <summary>The variant answers as the original on other inputs than the report's, within twice the drift it reported.</summary>
    private static void AssertAnswersAlike(string original, string variant, CompressionReport report)
    {
        var expected = ModelRunner.Run(original, "image", [3, 1, 8, 32]);
        var actual = ModelRunner.Run(variant, "image", [3, 1, 8, 32]);
        foreach (var output in new[] { "probabilities", "line_scores" })
        {
            var measured = ModelRunner.MaxAbsDifference(expected[output], actual[output]);
            Assert.InRange(measured, 1e-7, Math.Max(report.MaxDrift * 2, 1e-6));
            Assert.Equal(Top1(expected[output], output == "probabilities" ? 37 : 5), Top1(actual[output], output == "probabilities" ? 37 : 5), new AlmostAllEqual(0.9));
        }
    }

    private static int[] Top1(float[] values, int classes) =>
        Enumerable.Range(0, values.Length / classes).Select(r => Array.IndexOf(values, values.Skip(r * classes).Take(classes).Max(), r * classes) - r * classes).ToArray();

    /// <summary>Two label sequences of one length that agree at no fewer than the given share of positions.</summary>
    private sealed class AlmostAllEqual(double share) : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? a, int[]? b) => a!.Length == b!.Length && a.Zip(b).Count(p => p.First == p.Second) >= share * a.Length;
        public int GetHashCode(int[] obj) => 0;
    }
}
