using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.SampleModels.Models;

/// <summary>
/// Identity pass-through models for every element type the Open Inference Protocol maps, with dynamic shapes, so a
/// runtime can test each datatype end to end: what goes in must come back unchanged.
/// </summary>
internal static class IdentityModel
{
    public const string AllName = "all-datatypes";
    public const string AllDescription =
        "One Identity per datatype: input_<type> -> output_<type>, each [batch,width_<type>], for bool, uint8, uint16, uint32, uint64, " +
        "int8, int16, int32, int64, fp16, fp32, fp64 and bytes (ONNX string).";

    /// <summary>Every element type with its Open Inference Protocol datatype name.</summary>
    public static readonly IReadOnlyList<(OnnxElementType Type, string Datatype)> Types =
    [
        (OnnxElementType.Bool, "BOOL"),
        (OnnxElementType.UInt8, "UINT8"),
        (OnnxElementType.UInt16, "UINT16"),
        (OnnxElementType.UInt32, "UINT32"),
        (OnnxElementType.UInt64, "UINT64"),
        (OnnxElementType.Int8, "INT8"),
        (OnnxElementType.Int16, "INT16"),
        (OnnxElementType.Int32, "INT32"),
        (OnnxElementType.Int64, "INT64"),
        (OnnxElementType.Float16, "FP16"),
        (OnnxElementType.Float, "FP32"),
        (OnnxElementType.Double, "FP64"),
        (OnnxElementType.String, "BYTES"),
    ];

    public static string Tag(OnnxElementType type) =>
        Types.FirstOrDefault(t => t.Type == type).Datatype?.ToLowerInvariant()
        ?? throw new ArgumentOutOfRangeException(nameof(type), type, "Not an element type the Open Inference Protocol maps.");

    public static string InputName(OnnxElementType type) => $"input_{Tag(type)}";

    public static string OutputName(OnnxElementType type) => $"output_{Tag(type)}";

    public static string SingleName(OnnxElementType type) => $"identity-{Tag(type)}";

    public static byte[] BuildAll() => Build("all_datatypes", Types.Select(t => t.Type), AllDescription);

    public static byte[] BuildSingle(OnnxElementType type) =>
        Build($"identity_{Tag(type)}", [type], $"Identity: {InputName(type)} -> {OutputName(type)}, {Tag(type)} [batch,width].");

    private static byte[] Build(string graphName, IEnumerable<OnnxElementType> types, string description)
    {
        var graph = new OnnxGraphBuilder(graphName);
        foreach (var type in types)
        {
            TensorDim[] shape = [TensorDim.Dynamic("batch"), TensorDim.Dynamic($"width_{Tag(type)}")];
            graph.Input(InputName(type), type, shape).Output(OutputName(type), type, shape);
            graph.Node("Identity", [InputName(type)], OutputName(type));
        }
        return graph.ToModelBytes(description);
    }
}
