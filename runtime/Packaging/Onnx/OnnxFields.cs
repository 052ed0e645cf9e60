namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>The field numbers of the ONNX schema (onnx.proto) that model rewrites read or write.</summary>
internal static class OnnxFields
{
    public const int ModelIrVersion = 1, ModelGraph = 7, ModelOpsetImport = 8;
    public const int OpsetDomain = 1, OpsetVersion = 2;
    public const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12, GraphValueInfo = 13;
    public const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5, NodeDomain = 7;
    public const int AttributeName = 1, AttributeF = 2, AttributeI = 3, AttributeT = 5, AttributeG = 6, AttributeInts = 8, AttributeGraphs = 11, AttributeType = 20;
    public const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorInt32Data = 5, TensorInt64Data = 7, TensorName = 8,
        TensorRawData = 9, TensorExternalData = 13, TensorDataLocation = 14;
    public const int EntryKey = 1, EntryValue = 2;
    public const int ValueInfoName = 1, ValueInfoType = 2;
    public const int TypeTensor = 1, TypeTensorElemType = 1;

    public const int AttributeTypeFloat = 1, AttributeTypeInt = 2, AttributeTypeTensor = 4;
    public const int DataLocationExternal = 1;
}

/// <summary>ONNX <c>TensorProto.DataType</c> values used by the rewrites.</summary>
internal enum OnnxDataType
{
    Float = 1,
    Uint8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Float16 = 10,
    Double = 11,
}
