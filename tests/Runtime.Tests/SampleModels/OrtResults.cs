using Microsoft.ML.OnnxRuntime;

namespace ModelOperator.Runtime.Tests.SampleModels;

/// <summary>The outputs of one ONNX Runtime run, copied out by name.</summary>
internal sealed class OrtResults(string[] names, IDisposableReadOnlyCollection<OrtValue> values) : IDisposable
{
    public IReadOnlyList<string> Names => names;

    public T[] Values<T>(string name) where T : unmanaged => Get(name).GetTensorDataAsSpan<T>().ToArray();

    public string[] Strings(string name) => Get(name).GetStringTensorAsArray();

    public long[] Shape(string name) => Get(name).GetTensorTypeAndShape().Shape;

    private OrtValue Get(string name)
    {
        var index = Array.IndexOf(names, name);
        if (index < 0) throw new KeyNotFoundException($"No output '{name}'; outputs are [{string.Join(", ", names)}].");
        return values.ElementAt(index);
    }

    public void Dispose() => values.Dispose();
}
