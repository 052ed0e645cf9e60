using ModelOperator.Runtime.Packaging.Onnx;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>Writes a model with its float initializers moved to an ONNX external data file beside it, as exporters do above 2 GB.</summary>
internal static class ExternalDataModel
{
    public static (string Model, string Data) Write(byte[] onnx, string dir, string fileName, string dataFileName)
    {
        var model = OnnxModel.Parse(onnx);
        var dataPath = Path.Combine(dir, dataFileName);
        using (var data = File.Create(dataPath))
        {
            foreach (var tensor in model.Graph.Initializers)
            {
                if (tensor.First(OnnxFields.TensorRawData) is not { } raw) continue;
                var offset = data.Position;
                data.Write(raw.Bytes.Span);
                tensor.Remove(OnnxFields.TensorRawData);
                tensor.Add(Entry("location", dataFileName));
                tensor.Add(Entry("offset", offset.ToString()));
                tensor.Add(Entry("length", raw.Bytes.Length.ToString()));
                tensor.Add(ProtoField.OfVarint(OnnxFields.TensorDataLocation, OnnxFields.DataLocationExternal));
            }
        }
        var modelPath = Path.Combine(dir, fileName);
        model.Save(modelPath);
        return (modelPath, dataPath);
    }

    private static ProtoField Entry(string key, string value)
    {
        var entry = new ProtoMessage();
        entry.SetString(OnnxFields.EntryKey, key);
        entry.SetString(OnnxFields.EntryValue, value);
        return ProtoField.OfMessage(OnnxFields.TensorExternalData, entry);
    }
}
