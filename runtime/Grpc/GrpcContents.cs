using ModelOperator.Runtime.Grpc.Inference;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Grpc;

/// <summary>Which repeated field of <c>InferTensorContents</c> carries which datatype, and how full each is.</summary>
internal static class GrpcContents
{
    /// <summary>The field's name as the proto spells it; FP16 and BF16 have none (they travel raw only).</summary>
    public static string? FieldOf(Datatype datatype) => datatype.Name switch
    {
        "BOOL" => "bool_contents",
        "INT8" or "INT16" or "INT32" => "int_contents",
        "INT64" => "int64_contents",
        "UINT8" or "UINT16" or "UINT32" => "uint_contents",
        "UINT64" => "uint64_contents",
        "FP32" => "fp32_contents",
        "FP64" => "fp64_contents",
        "BYTES" => "bytes_contents",
        _ => null,
    };

    /// <summary>Whether typed contents can carry the datatype.</summary>
    public static bool HasTypedField(Datatype datatype) => FieldOf(datatype) is not null;

    /// <summary>How many values the field of <paramref name="datatype"/> holds.</summary>
    public static int CountOf(InferTensorContents contents, Datatype datatype) => FieldOf(datatype) switch
    {
        "bool_contents" => contents.BoolContents.Count,
        "int_contents" => contents.IntContents.Count,
        "int64_contents" => contents.Int64Contents.Count,
        "uint_contents" => contents.UintContents.Count,
        "uint64_contents" => contents.Uint64Contents.Count,
        "fp32_contents" => contents.Fp32Contents.Count,
        "fp64_contents" => contents.Fp64Contents.Count,
        "bytes_contents" => contents.BytesContents.Count,
        _ => 0,
    };

    /// <summary>Values in all fields together.</summary>
    public static int Count(InferTensorContents contents) =>
        contents.BoolContents.Count + contents.IntContents.Count + contents.Int64Contents.Count + contents.UintContents.Count
        + contents.Uint64Contents.Count + contents.Fp32Contents.Count + contents.Fp64Contents.Count + contents.BytesContents.Count;

    /// <summary>The first field that holds values, for a message that names the field a client filled by mistake.</summary>
    public static string? NonEmptyField(InferTensorContents contents) =>
        contents.BoolContents.Count > 0 ? "bool_contents"
        : contents.IntContents.Count > 0 ? "int_contents"
        : contents.Int64Contents.Count > 0 ? "int64_contents"
        : contents.UintContents.Count > 0 ? "uint_contents"
        : contents.Uint64Contents.Count > 0 ? "uint64_contents"
        : contents.Fp32Contents.Count > 0 ? "fp32_contents"
        : contents.Fp64Contents.Count > 0 ? "fp64_contents"
        : contents.BytesContents.Count > 0 ? "bytes_contents"
        : null;
}
