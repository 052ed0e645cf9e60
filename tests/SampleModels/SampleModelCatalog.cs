using System.Collections.Concurrent;
using ModelOperator.SampleModels.Models;
using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels;

/// <summary>
/// The sample ONNX models that tests, benchmarks and the demo use, built by code so the repository carries no
/// opaque binaries. Every method returns serialised <c>ModelProto</c> bytes (ir_version 8, opset 17, but for the
/// older-opset <see cref="SequenceRecogniser"/>) that are identical on every call and every machine.
/// </summary>
/// <remarks>
/// The model methods build each model once per process and hand out copies, since tests ask for the same models
/// many times; <see cref="SampleModel.Build"/> of the <see cref="All"/> entries always builds afresh.
/// </remarks>
public static class SampleModelCatalog
{
    private static readonly ConcurrentDictionary<string, Lazy<byte[]>> Built = new();

    /// <summary>
    /// The MNIST-shaped CNN: <c>input</c> FP32 [batch,1,28,28] → <c>probabilities</c> FP32 [batch,10].
    /// The compute-bound classifier for benchmarks (about 2.8 M multiply-adds per image).
    /// </summary>
    public static byte[] MnistCnn() => Cached(MnistCnnModel.Name, MnistCnnModel.Build);

    /// <summary>The weights <see cref="MnistCnn"/> is built from, for checking its output independently.</summary>
    public static MnistCnnParameters MnistCnnParameters() => MnistCnnModel.Parameters();

    /// <summary>
    /// A second good version of <see cref="MnistCnn"/>: the same graph and signature (<c>input</c> FP32 [batch,1,28,28] →
    /// <c>probabilities</c> FP32 [batch,10]) and cost, other weights. The compatible new version of a rollout.
    /// </summary>
    public static byte[] MnistCnnV2() => Cached(MnistCnnVariants.V2Name, MnistCnnVariants.BuildV2);

    /// <summary>
    /// A version of <see cref="MnistCnn"/> that answers wrongly at the same speed: the same graph, signature and cost,
    /// the output layer's classes rotated by one, so every input's top-1 is the next class (a shadow rollout's
    /// <c>minAgreement</c> must roll it back).
    /// </summary>
    public static byte[] MnistCnnWrong() => Cached(MnistCnnVariants.WrongName, MnistCnnVariants.BuildWrong);

    /// <summary>The weights <see cref="MnistCnnWrong"/> is built from, for checking its output independently.</summary>
    public static MnistCnnParameters MnistCnnWrongParameters() => MnistCnnVariants.WrongParameters();

    /// <summary>
    /// <see cref="MnistCnnV2"/> answering wrongly at the same speed, as <see cref="MnistCnnWrong"/> is to <see cref="MnistCnn"/>:
    /// every input's top-1 is the next class of mnist-cnn-v2's.
    /// </summary>
    public static byte[] MnistCnnV2Wrong() => Cached(MnistCnnVariants.V2WrongName, MnistCnnVariants.BuildV2Wrong);

    /// <summary>
    /// A deliberately slower twin of <see cref="MnistCnn"/>: the same signature and weights plus
    /// <see cref="MnistCnnSlowExtraConvs"/> extra 256→256 convolutions (about ten times the compute per image: slower beyond doubt even on a busy machine, where a 4× twin sometimes passed a maxP95Ratio of 4).
    /// The version a canary analysis on latency must roll back.
    /// </summary>
    public static byte[] MnistCnnSlow() => Cached(MnistCnnVariants.SlowName, MnistCnnVariants.BuildSlow);

    /// <summary>How many extra convolutions <see cref="MnistCnnSlow"/> runs after the original's third.</summary>
    public const int MnistCnnSlowExtraConvs = MnistCnnVariants.SlowExtraConvs;

    /// <summary>
    /// A tiny MLP with a dynamic batch dim: <c>features</c> FP32 [batch,16] → <c>scores</c> FP32 [batch,4].
    /// About 4 µs per run, far less than an HTTP request: the HTTP-bound control beside <see cref="DeepMlp"/> in the batching benchmark.
    /// </summary>
    public static byte[] Mlp() => Cached(MlpModel.Name, MlpModel.Build);

    /// <summary>The weights <see cref="Mlp"/> is built from, for checking its output independently.</summary>
    public static MlpParameters MlpParameters() => MlpModel.Parameters();

    /// <summary>
    /// A deep, narrow MLP with a dynamic batch dim: <c>features</c> FP32 [batch,16] → 192 × (MatMul 16×16, Add, ReLU) →
    /// MatMul 16×4, Add → <c>scores</c> FP32 [batch,4]. Few multiply-adds but about 580 operators per run, so a run costs
    /// much the same for one row as for 32: the model for the dynamic-batching benchmark.
    /// </summary>
    public static byte[] DeepMlp() => Cached(DeepMlpModel.Name, DeepMlpModel.Build);

    /// <summary>The weights <see cref="DeepMlp"/> is built from, for checking its output independently.</summary>
    public static DeepMlpParameters DeepMlpParameters() => DeepMlpModel.Parameters();

    /// <summary>
    /// Int64 inputs: <c>ids</c> INT64 [batch,8] → <c>shifted</c> INT64 [batch,8] (ids + <see cref="Int64Offsets"/>),
    /// <c>sum</c> INT64 [batch,1] (row sums) and <c>mean</c> FP32 [batch,1] (row means).
    /// </summary>
    public static byte[] Int64Model() => Cached(Models.Int64Model.Name, Models.Int64Model.Build);

    /// <summary>What <see cref="Int64Model"/> adds to each column of <c>ids</c>: (i+1)·10^12, beyond int32 and float precision.</summary>
    public static long[] Int64Offsets() => Models.Int64Model.Offsets();

    /// <summary>
    /// Several inputs and outputs: <c>a</c>, <c>b</c> FP32 [batch,3] and <c>count</c> INT32 [batch,1] →
    /// <c>sum</c> (a+b) and <c>product</c> (a·b) FP32 [batch,3], <c>greater</c> (a&gt;b) BOOL [batch,3],
    /// <c>next_count</c> (count+1) INT32 [batch,1] and <c>row_total</c> (row sums of a+b) FP64 [batch].
    /// </summary>
    public static byte[] MultiIo() => Cached(MultiIoModel.Name, MultiIoModel.Build);

    /// <summary>
    /// One Identity per Open Inference Protocol datatype (see <see cref="IdentityDatatypes"/>): input
    /// <c>input_&lt;type&gt;</c> → output <c>output_&lt;type&gt;</c>, each [batch,width_&lt;type&gt;], e.g. <c>input_fp32</c>.
    /// All inputs are required at once; use <see cref="Identity"/> to test one datatype alone.
    /// </summary>
    public static byte[] AllDatatypes() => Cached(IdentityModel.AllName, IdentityModel.BuildAll);

    /// <summary>One Identity for <paramref name="type"/>: <see cref="IdentityInputName"/> → <see cref="IdentityOutputName"/>, [batch,width].</summary>
    public static byte[] Identity(OnnxElementType type) => Cached(IdentityModel.SingleName(type), () => IdentityModel.BuildSingle(type));

    /// <summary>Every element type the identity models pass through, with its Open Inference Protocol datatype name (FP32, BYTES, …).</summary>
    public static IReadOnlyList<(OnnxElementType Type, string Datatype)> IdentityDatatypes => IdentityModel.Types;

    /// <summary>The input name for <paramref name="type"/> in <see cref="AllDatatypes"/> and <see cref="Identity"/>, e.g. <c>input_fp32</c>.</summary>
    public static string IdentityInputName(OnnxElementType type) => IdentityModel.InputName(type);

    /// <summary>The output name for <paramref name="type"/> in <see cref="AllDatatypes"/> and <see cref="Identity"/>, e.g. <c>output_fp32</c>.</summary>
    public static string IdentityOutputName(OnnxElementType type) => IdentityModel.OutputName(type);

    /// <summary>A model with a static batch dim, so it cannot be batched: <c>x</c> FP32 [1,4] → <c>y</c> = 2x+1 FP32 [1,4].</summary>
    public static byte[] StaticBatch() => Cached(StaticBatchModel.Name, StaticBatchModel.Build);

    /// <summary>
    /// A wide, MatMul-heavy classifier: <c>features</c> FP32 [batch,512] → 1024 → 1024 → <c>probabilities</c> FP32 [batch,10]:
    /// the model int8 compression is measured on.
    /// </summary>
    public static byte[] WideMlp() => Cached(WideMlpModel.Name, WideMlpModel.Build);

    /// <summary>
    /// An OCR-shaped classifier with a large input: <c>image</c> FP32 [batch,3,48,192] (27,648 floats) →
    /// <c>probabilities</c> FP32 [batch,37]. Cheap to run, so JSON parsing dominates serving it: the large-input JSON benchmark.
    /// </summary>
    public static byte[] TextLineCnn() => Cached(TextLineCnnModel.Name, TextLineCnnModel.Build);

    /// <summary>
    /// A small text-line recogniser written at an older <paramref name="opset"/> (one of <see cref="SequenceRecogniserOpsets"/>;
    /// IR 3 with its initializers listed as graph inputs at opset 7): <c>image</c> FP32 [batch,1,8,32] →
    /// <c>probabilities</c> FP32 [batch,32,37] (a Softmax per position) and <c>line_scores</c> FP32 [batch,5] (a Gemm).
    /// Holds Conv+BatchNormalization, a Constant-node weight behind a Transpose, attention, a weight shared by two MatMuls
    /// and an LSTM: the model compression of old-opset models is tested on.
    /// </summary>
    public static byte[] SequenceRecogniser(long opset) =>
        SequenceRecogniserModel.Opsets.Contains(opset)
            ? Cached(SequenceRecogniserModel.Name(opset), () => SequenceRecogniserModel.Build(opset))
            : throw new ArgumentOutOfRangeException(nameof(opset), opset, $"The recogniser is built at opsets {string.Join(", ", SequenceRecogniserModel.Opsets)}.");

    /// <summary>The opsets <see cref="SequenceRecogniser"/> is built at.</summary>
    public static IReadOnlyList<long> SequenceRecogniserOpsets => SequenceRecogniserModel.Opsets;

    /// <summary>The catalog: every sample model <see cref="WriteAll"/> writes, with its name and description.</summary>
    public static IReadOnlyList<SampleModel> All { get; } =
    [
        new(MnistCnnModel.Name, MnistCnnModel.Description, MnistCnnModel.Build),
        new(MnistCnnVariants.V2Name, MnistCnnVariants.V2Description, MnistCnnVariants.BuildV2),
        new(MnistCnnVariants.SlowName, MnistCnnVariants.SlowDescription, MnistCnnVariants.BuildSlow),
        new(MnistCnnVariants.WrongName, MnistCnnVariants.WrongDescription, MnistCnnVariants.BuildWrong),
        new(MnistCnnVariants.V2WrongName, MnistCnnVariants.V2WrongDescription, MnistCnnVariants.BuildV2Wrong),
        new(MlpModel.Name, MlpModel.Description, MlpModel.Build),
        new(DeepMlpModel.Name, DeepMlpModel.Description, DeepMlpModel.Build),
        new(Models.Int64Model.Name, Models.Int64Model.Description, Models.Int64Model.Build),
        new(MultiIoModel.Name, MultiIoModel.Description, MultiIoModel.Build),
        new(IdentityModel.AllName, IdentityModel.AllDescription, IdentityModel.BuildAll),
        new(StaticBatchModel.Name, StaticBatchModel.Description, StaticBatchModel.Build),
        new(WideMlpModel.Name, WideMlpModel.Description, WideMlpModel.Build),
        new(TextLineCnnModel.Name, TextLineCnnModel.Description, TextLineCnnModel.Build),
        .. SequenceRecogniserModel.Opsets.Select(o => new SampleModel(SequenceRecogniserModel.Name(o), SequenceRecogniserModel.Description(o), () => SequenceRecogniserModel.Build(o))),
    ];

    /// <summary>Finds a catalog entry by name.</summary>
    /// <exception cref="KeyNotFoundException">No sample model has that name; the message lists the names there are.</exception>
    public static SampleModel Get(string name) =>
        All.FirstOrDefault(m => m.Name == name)
        ?? throw new KeyNotFoundException($"No sample model named '{name}'. Known: {string.Join(", ", All.Select(m => m.Name))}.");

    /// <summary>Writes every catalog model to <paramref name="directory"/> as <c>&lt;name&gt;.onnx</c>, creating the directory, and returns the paths written.</summary>
    public static IReadOnlyList<string> WriteAll(string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var model in All)
        {
            var path = Path.Combine(directory, model.FileName);
            File.WriteAllBytes(path, model.Build());
            written.Add(path);
        }
        return written;
    }

    private static byte[] Cached(string name, Func<byte[]> build) =>
        (byte[])Built.GetOrAdd(name, _ => new Lazy<byte[]>(build)).Value.Clone();
}
