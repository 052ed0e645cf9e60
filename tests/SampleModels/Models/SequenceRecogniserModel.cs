using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>
/// A small text-line recogniser written at an older opset, as models exported years ago are, holding every weight form
/// int8 compression must reach: Conv + BatchNormalization, a projection weight stored as a <c>Constant</c> node behind a
/// <c>Transpose</c>, a Reshape of activations, self-attention (activation × activation MatMuls and a Softmax), one
/// weight shared by two MatMuls, an LSTM, a MatMul classifier with a Softmax over the last axis (class scores per position)
/// and a Gemm (transB, alpha, beta) on the pooled sequence. Every operator used means the same in opsets 7 to 13.
/// At opset 7 the model is IR 3, so its initializers are listed as graph inputs too.
/// </summary>
internal static class SequenceRecogniserModel
{
    public static readonly long[] Opsets = [7, 9, 11, 13];

    public const int Height = 8, Width = 32, Channels = 16, Features = Channels * Height, Hidden = 64, LstmHidden = 32, Classes = 37, LineClasses = 5;

    public static string Name(long opset) => $"recogniser-opset{opset}";

    public static string Description(long opset) =>
        $"Text-line recogniser at opset {opset} (IR {IrVersion(opset)}): image FP32 [batch,1,{Height},{Width}] -> Conv+BatchNorm, attention, shared-weight MatMuls, LSTM " +
        $"-> probabilities FP32 [batch,{Width},{Classes}] (Softmax per position) and line_scores FP32 [batch,{LineClasses}] (Gemm).";

    private static long IrVersion(long opset) => opset switch { <= 8 => 3, 9 => 4, 10 => 5, 11 => 6, 12 => 7, _ => 7 };

    public static byte[] Build(long opset)
    {
        var random = new DeterministicRandom(seed: 7_9_11_13);
        var conv = ConvLayer.Random(random, Channels, 1, 3, padding: 1);
        var graph = new OnnxGraphBuilder("sequence_recogniser", opset, IrVersion(opset))
            .Input("image", OnnxElementType.Float, TensorDim.Dynamic("batch"), 1, Height, Width)
            .Output("probabilities", OnnxElementType.Float, TensorDim.Dynamic("batch"), Width, Classes)
            .Output("line_scores", OnnxElementType.Float, TensorDim.Dynamic("batch"), LineClasses);

        var x = graph.Conv("conv", "image", conv);
        x = graph.Node("BatchNormalization", [x,
            graph.Initializer("bn.scale", Uniform(random, Channels, 0.8f, 1.2f), Channels),
            graph.Initializer("bn.bias", random.Symmetric(Channels, 0.1f), Channels),
            graph.Initializer("bn.mean", random.Symmetric(Channels, 0.1f), Channels),
            graph.Initializer("bn.var", Uniform(random, Channels, 0.5f, 1.5f), Channels)], "bn");
        x = graph.Relu(x);
        // [batch, C, H, W] → [batch, C·H, W] → [batch, W, C·H]: one feature vector per horizontal position.
        x = graph.Node("Reshape", [x, graph.Initializer("sequence_shape", new long[] { 0, Features, Width }, 3)], "sequence");
        x = graph.Node("Transpose", [x], "positions", OnnxAttribute.Ints("perm", 0, 2, 1));

        // A projection stored [out, in] in a Constant node and transposed in the graph, as some exporters write Linear layers.
        var projection = graph.ConstantNode("proj.weight", random.Symmetric(Hidden * Features, MathF.Sqrt(6f / (Hidden + Features))), Hidden, Features);
        var projectionT = graph.Node("Transpose", [projection], "proj.weight_t", OnnxAttribute.Ints("perm", 1, 0));
        var h = graph.Node("MatMul", [x, projectionT], "proj");
        h = graph.Relu(graph.Node("Add", [h, graph.Initializer("proj.bias", random.Symmetric(Hidden, 0.05f), Hidden)], "proj.biased"));

        // Self-attention: scores = h·hᵀ/8, Softmax over the last axis, context = attention·h.
        var hT = graph.Node("Transpose", [h], "keys", OnnxAttribute.Ints("perm", 0, 2, 1));
        var scores = graph.Node("Mul", [graph.Node("MatMul", [h, hT], "scores_raw"), graph.Initializer("attention_scale", [0.125f])], "scores");
        var attention = graph.Node("Softmax", [scores], "attention", OnnxAttribute.Int("axis", 2));
        var context = graph.Node("MatMul", [attention, h], "context");

        // One weight read by two MatMuls.
        var shared = graph.Initializer("shared.weight", random.Symmetric(Hidden * Hidden, MathF.Sqrt(3f / Hidden)), Hidden, Hidden);
        var z = graph.Node("Add", [graph.Node("MatMul", [h, shared], "mixed_h"), graph.Node("MatMul", [context, shared], "mixed_context")], "mixed");

        // LSTM over positions: [W, batch, Hidden] → Y [W, 1, batch, LstmHidden] → [batch, W, LstmHidden].
        var sequence = graph.Node("Transpose", [z], "time_major", OnnxAttribute.Ints("perm", 1, 0, 2));
        var lstmW = graph.Initializer("lstm.W", random.Symmetric(4 * LstmHidden * Hidden, MathF.Sqrt(3f / Hidden)), 1, 4 * LstmHidden, Hidden);
        var lstmR = graph.Initializer("lstm.R", random.Symmetric(4 * LstmHidden * LstmHidden, MathF.Sqrt(3f / LstmHidden)), 1, 4 * LstmHidden, LstmHidden);
        var lstmB = graph.Initializer("lstm.B", random.Symmetric(8 * LstmHidden, 0.05f), 1, 8 * LstmHidden);
        var y = graph.Node("LSTM", [sequence, lstmW, lstmR, lstmB], "lstm", OnnxAttribute.Int("hidden_size", LstmHidden));
        y = graph.Node("Reshape", [y, graph.Initializer("lstm_shape", new long[] { 0, -1, LstmHidden }, 3)], "lstm_flat");
        y = graph.Node("Transpose", [y], "recurrent", OnnxAttribute.Ints("perm", 1, 0, 2));

        var classifier = DenseLayer.Random(random, LstmHidden, Classes, scale: 3f);
        var logits = graph.Node("Add", [
            graph.Node("MatMul", [y, graph.Initializer("classifier.weight", classifier.Weights, LstmHidden, Classes)], "logits_raw"),
            graph.Initializer("classifier.bias", classifier.Bias, Classes)], "logits");
        graph.Node("Softmax", [logits], "probabilities", OnnxAttribute.Int("axis", 2));

        var pooled = graph.Node("ReduceMean", [y], "pooled", OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));
        graph.Node("Gemm", [pooled,
            graph.Initializer("line.weight", random.Symmetric(LineClasses * LstmHidden, 3f * MathF.Sqrt(6f / (LineClasses + LstmHidden))), LineClasses, LstmHidden),
            graph.Initializer("line.bias", random.Symmetric(LineClasses, 0.05f), LineClasses)], "line_scores",
            OnnxAttribute.Int("transB", 1), OnnxAttribute.Float("alpha", 0.5f), OnnxAttribute.Float("beta", 2f));
        return graph.ToModelBytes(Description(opset));
    }

    private static float[] Uniform(DeterministicRandom random, int count, float low, float high) =>
        random.Symmetric(count, 1f).Select(v => low + (v + 1f) / 2f * (high - low)).ToArray();
}
