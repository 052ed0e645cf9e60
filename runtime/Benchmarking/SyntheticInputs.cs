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

    public static List<TensorData> Create(IReadOnlyList<TensorSpec> specs, int batchSize, int dynamicDimSize = 1, int seed = 42)
    {
        var random = new Random(seed);
        var inputs = new List<TensorData>();
        foreach (var spec in specs)
        {
            var shape = ShapeFor(spec, batchSize, dynamicDimSize);
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

    private static long[] ShapeFor(TensorSpec spec, int batchSize, int dynamicDimSize)
    {
        var shape = (long[])spec.Shape.Clone();
        for (var i = 0; i < shape.Length; i++)
            if (shape[i] < 0) shape[i] = i == 0 ? batchSize : dynamicDimSize;
        return shape;
    }
}
