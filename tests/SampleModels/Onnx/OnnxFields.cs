namespace ModelOperator.SampleModels.Onnx;

/// <summary>Field numbers of the onnx.proto messages this writer emits; they must match onnx/onnx.proto exactly.</summary>
internal static class OnnxFields
{
    public static class Model
    {
        public const int IrVersion = 1, ProducerName = 2, ProducerVersion = 3, Domain = 4, ModelVersion = 5,
            DocString = 6, Graph = 7, OpsetImport = 8;
    }

    public static class OperatorSetId
    {
        public const int Domain = 1, Version = 2;
    }

    public static class Graph
    {
        public const int Node = 1, Name = 2, Initializer = 5, DocString = 10, Input = 11, Output = 12;
    }

    public static class Node
    {
        public const int Input = 1, Output = 2, Name = 3, OpType = 4, Attribute = 5, Domain = 7;
    }

    public static class Attribute
    {
        public const int Name = 1, F = 2, I = 3, S = 4, T = 5, Floats = 7, Ints = 8, Type = 20;

        // AttributeProto.AttributeType
        public const int TypeFloat = 1, TypeInt = 2, TypeString = 3, TypeTensor = 4, TypeFloats = 6, TypeInts = 7;
    }

    public static class Tensor
    {
        public const int Dims = 1, DataType = 2, StringData = 6, Name = 8, RawData = 9;
    }

    public static class ValueInfo
    {
        public const int Name = 1, Type = 2;
    }

    public static class Type
    {
        public const int TensorType = 1;
        public const int TensorElemType = 1, TensorShape = 2;
    }

    public static class Shape
    {
        public const int Dim = 1;
        public const int DimValue = 1, DimParam = 2;
    }
}
