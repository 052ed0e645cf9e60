namespace ModelOperator.SampleModels.Onnx;

/// <summary>ONNX tensor element types, numbered as <c>TensorProto.DataType</c> in onnx.proto.</summary>
public enum OnnxElementType
{
    /// <summary>32-bit IEEE float (Open Inference Protocol FP32).</summary>
    Float = 1,
    /// <summary>Unsigned 8-bit integer (UINT8).</summary>
    UInt8 = 2,
    /// <summary>Signed 8-bit integer (INT8).</summary>
    Int8 = 3,
    /// <summary>Unsigned 16-bit integer (UINT16).</summary>
    UInt16 = 4,
    /// <summary>Signed 16-bit integer (INT16).</summary>
    Int16 = 5,
    /// <summary>Signed 32-bit integer (INT32).</summary>
    Int32 = 6,
    /// <summary>Signed 64-bit integer (INT64).</summary>
    Int64 = 7,
    /// <summary>UTF-8 string (Open Inference Protocol BYTES).</summary>
    String = 8,
    /// <summary>Boolean, one byte per element (BOOL).</summary>
    Bool = 9,
    /// <summary>IEEE half-precision float (FP16).</summary>
    Float16 = 10,
    /// <summary>64-bit IEEE float (FP64).</summary>
    Double = 11,
    /// <summary>Unsigned 32-bit integer (UINT32).</summary>
    UInt32 = 12,
    /// <summary>Unsigned 64-bit integer (UINT64).</summary>
    UInt64 = 13,
}
