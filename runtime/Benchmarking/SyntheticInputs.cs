using System.Runtime.InteropServices;
using System.Text;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>
/// Inputs made up from the model's own metadata: the first dynamic dim is the batch size, other dynamic dims are
/// <c>dynamicDimSize</c>; floats are random in [0, 1), integers 0 (a valid index for embeddings), BYTES a short string.
/// </summary>
internal static class SyntheticInputs
{
    public static List<TensorData> Create(OnnxModel model, int batchSize, int dynamicDimSize = 1, int seed = 42) =>
        Create(model.Inputs, batchSize, dynamicDimSize, seed);

    public static List<TensorData> Create(IReadOnlyList<TensorSpec> specs, int batchSize, int dynamicDimSize = 1, int seed = 42,
        IReadOnlyDictionary<string, long[]>? shapes = null)
    {
        var random = new Random(seed);
        var inputs = new List<TensorData>();
        foreach (var spec in specs)
        {
            var shape = shapes is not null && shapes.TryGetValue(spec.Name, out var given) ? Given(spec, given, batchSize) : ShapeFor(spec, batchSize, dynamicDimSize);
            if (spec.Datatype.IsBytes)
            {
                var count = TensorData.ElementCountOf(shape);
                inputs.Add(TensorData.FromElements(spec.Name, shape, Enumerable.Range(0, (int)count).Select(_ => Encoding.UTF8.GetBytes("benchmark")).ToArray()));
                continue;
            }
            var tensor = TensorData.Rent(spec.Name, spec.Datatype, shape);
            var bytes = tensor.Bytes;
            bytes.Clear();
            switch (spec.Datatype.Name)
            {
                case "FP32": foreach (ref var v in MemoryMarshal.Cast<byte, float>(bytes)) v = random.NextSingle(); break;
                case "FP64": foreach (ref var v in MemoryMarshal.Cast<byte, double>(bytes)) v = random.NextDouble(); break;
                case "FP16": foreach (ref var v in MemoryMarshal.Cast<byte, Half>(bytes)) v = (Half)random.NextSingle(); break;
            }
            inputs.Add(tensor);
        }
        return inputs;
    }

    /// <summary>The batch size a model really runs at: its static first dim when it has one.</summary>
    public static int EffectiveBatchSize(OnnxModel model, int requested)
    {
        var first = model.Inputs.FirstOrDefault();
        return first is { Shape.Length: > 0 } && first.Shape[0] > 0 ? (int)first.Shape[0] : requested;
    }

    /// <summary>
    /// Describes the shapes <see cref="Create"/> uses at <paramref name="batchSize"/>, as <c>name=[d1,…]</c>, saying
    /// which inputs had dynamic dimensions without a given shape (they used 1).
    /// </summary>
    public static string DescribeShapes(IReadOnlyList<TensorSpec> specs, int batchSize, IReadOnlyDictionary<string, long[]>? shapes)
    {
        var parts = new List<string>();
        var defaulted = new List<string>();
        foreach (var spec in specs)
        {
            var given = shapes is not null && shapes.TryGetValue(spec.Name, out var g);
            var shape = given ? Given(spec, shapes![spec.Name], batchSize) : ShapeFor(spec, batchSize, 1);
            parts.Add($"{spec.Name}=[{string.Join(',', shape)}]");
            if (!given && spec.Shape.Skip(1).Any(d => d < 0)) defaulted.Add(spec.Name);
        }
        return string.Join("; ", parts) + (defaulted.Count == 0 ? "" : $" (dynamic dimensions of {string.Join(", ", defaulted)} had no shape and used 1)");
    }

    // A given shape must fit the model: the same rank, and every fixed dimension but the batch as the model says.
    private static long[] Given(TensorSpec spec, long[] given, int batchSize)
    {
        if (given.Length != spec.Shape.Length)
            throw new ArgumentException($"input shape for '{spec.Name}' has rank {given.Length} but the model's input [{string.Join(',', spec.Shape)}] has rank {spec.Shape.Length}");
        var shape = (long[])given.Clone();
        if (shape.Length > 0) shape[0] = spec.Shape[0] > 0 ? spec.Shape[0] : batchSize;
        for (var i = 1; i < shape.Length; i++)
            if (spec.Shape[i] > 0 && spec.Shape[i] != shape[i])
                throw new ArgumentException($"input shape for '{spec.Name}' [{string.Join(',', given)}] has {shape[i]} at dimension {i}, but the model fixes it at {spec.Shape[i]}");
        return shape;
    }

    private static long[] ShapeFor(TensorSpec spec, int batchSize, int dynamicDimSize)
    {
        var shape = (long[])spec.Shape.Clone();
        for (var i = 0; i < shape.Length; i++)
            if (shape[i] < 0) shape[i] = i == 0 ? batchSize : dynamicDimSize;
        return shape;
    }
}
