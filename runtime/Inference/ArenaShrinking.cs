using Microsoft.ML.OnnxRuntime;

namespace ModelOperator.Runtime.Inference;

/// <summary>
/// Keeps ONNX Runtime's memory arena from growing without bound on variable shapes: a run whose inputs are large
/// (a wide image on a dynamic spatial dim) uses run options that shrink the arena back when the run ends, so memory
/// taken for one large shape is returned instead of kept for ever. Small runs keep the arena as it is (no cost).
/// </summary>
internal static class ArenaShrinking
{
    /// <summary>Inputs of at least this many bytes shrink the arena after their run.</summary>
    public const long LargeInputBytes = 16L << 20;

    public static RunOptions CreateShrinkingRunOptions(bool cuda)
    {
        var options = new RunOptions();
        options.AddRunConfigEntry("memory.enable_memory_arena_shrinkage", cuda ? "cpu:0;gpu:0" : "cpu:0");
        return options;
    }

    public static bool Applies(IReadOnlyList<TensorData> inputs)
    {
        long bytes = 0;
        foreach (var input in inputs) bytes += input.Datatype.IsBytes ? input.ElementCount * 16 : input.ByteLength;
        return bytes >= LargeInputBytes;
    }
}
