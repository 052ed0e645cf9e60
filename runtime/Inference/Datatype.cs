using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelOperator.Runtime.Inference;

/// <summary>
/// One Open Inference Protocol datatype (<c>FP32</c>, <c>INT64</c>, <c>BYTES</c>, …) with the ONNX element type it maps to
/// and its size in bytes (0 for <c>BYTES</c>, whose elements have no fixed size).
/// </summary>
internal sealed class Datatype
{
    public static readonly Datatype Bool = new("BOOL", TensorElementType.Bool, 1);
    public static readonly Datatype UInt8 = new("UINT8", TensorElementType.UInt8, 1);
    public static readonly Datatype UInt16 = new("UINT16", TensorElementType.UInt16, 2);
    public static readonly Datatype UInt32 = new("UINT32", TensorElementType.UInt32, 4);
    public static readonly Datatype UInt64 = new("UINT64", TensorElementType.UInt64, 8);
    public static readonly Datatype Int8 = new("INT8", TensorElementType.Int8, 1);
    public static readonly Datatype Int16 = new("INT16", TensorElementType.Int16, 2);
    public static readonly Datatype Int32 = new("INT32", TensorElementType.Int32, 4);
    public static readonly Datatype Int64 = new("INT64", TensorElementType.Int64, 8);
    public static readonly Datatype Fp16 = new("FP16", TensorElementType.Float16, 2);
    public static readonly Datatype Bf16 = new("BF16", TensorElementType.BFloat16, 2);
    public static readonly Datatype Fp32 = new("FP32", TensorElementType.Float, 4);
    public static readonly Datatype Fp64 = new("FP64", TensorElementType.Double, 8);
    public static readonly Datatype Bytes = new("BYTES", TensorElementType.String, 0);

    public static readonly IReadOnlyList<Datatype> All =
        [Bool, UInt8, UInt16, UInt32, UInt64, Int8, Int16, Int32, Int64, Fp16, Bf16, Fp32, Fp64, Bytes];

    private static readonly Dictionary<string, Datatype> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);
    private static readonly Dictionary<TensorElementType, Datatype> ByOrt = All.ToDictionary(d => d.OrtType);

    private Datatype(string name, TensorElementType ortType, int size) { Name = name; OrtType = ortType; Size = size; }

    /// <summary>The protocol name, e.g. <c>FP32</c>.</summary>
    public string Name { get; }

    public TensorElementType OrtType { get; }

    /// <summary>Bytes per element; 0 for <c>BYTES</c>.</summary>
    public int Size { get; }

    public bool IsBytes => Size == 0;

    public static bool TryParse(string? name, out Datatype datatype) => ByName.TryGetValue(name ?? "", out datatype!);

    /// <summary>The protocol datatype of an ONNX element type, or null when the protocol has none (e.g. complex numbers).</summary>
    public static Datatype? FromOrt(TensorElementType type) => ByOrt.GetValueOrDefault(type);

    public override string ToString() => Name;
}
