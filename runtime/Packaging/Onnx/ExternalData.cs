namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>Moves the values of externally stored tensors into the model, for rewritten models written to another place.</summary>
internal static class ExternalData
{
    private static int ElementSize(OnnxDataType type) => (int)type switch
    {
        1 or 6 or 12 => 4,   // float, int32, uint32
        2 or 3 or 9 => 1,    // uint8, int8, bool
        4 or 5 or 10 or 16 => 2, // uint16, int16, float16, bfloat16
        7 or 11 or 13 => 8,  // int64, double, uint64
        _ => throw new PackageException($"tensors of ONNX data type {(int)type} cannot be read from external data here"),
    };

    /// <summary>Reads every external initializer of the main graph into its <c>raw_data</c>.</summary>
    public static void Internalize(OnnxModel model)
    {
        foreach (var proto in model.Graph.Initializers)
        {
            var tensor = new OnnxTensor(proto);
            if (!tensor.IsExternal) continue;
            var bytes = tensor.ReadExternalBytes(model.BaseDirectory, checked((int)(tensor.ElementCount * ElementSize(tensor.DataType))));
            proto.Remove(OnnxFields.TensorExternalData);
            proto.Remove(OnnxFields.TensorDataLocation);
            proto.Set(ProtoField.OfBytes(OnnxFields.TensorRawData, bytes));
        }
    }
}
