using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

/// <summary>Plain in-process ONNX Runtime (default CPU provider) for checking the sample models directly.</summary>
internal sealed class OrtSession : IDisposable
{
    private readonly InferenceSession _session;

    public OrtSession(byte[] model)
    {
        // One thread: the test machine is small and shared, and a model this size gains nothing from more.
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(model, options);
    }

    public IReadOnlyDictionary<string, NodeMetadata> Inputs => _session.InputMetadata;
    public IReadOnlyDictionary<string, NodeMetadata> Outputs => _session.OutputMetadata;

    public static OrtValue Tensor<T>(T[] data, params long[] shape) where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(data, shape);

    public static OrtValue Strings(string[] data, params long[] shape) =>
        OrtValue.CreateFromStringTensor(new DenseTensor<string>(data, shape.Select(d => (int)d).ToArray()));

    /// <summary>Runs the model on the given inputs (which it disposes) and returns every output by name.</summary>
    public OrtResults Run(params (string Name, OrtValue Value)[] inputs)
    {
        using var runOptions = new RunOptions();
        try
        {
            var outputNames = _session.OutputNames.ToArray();
            var outputs = _session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), inputs.Select(i => i.Value).ToArray(), outputNames);
            return new OrtResults(outputNames, outputs);
        }
        finally
        {
            foreach (var (_, value) in inputs) value.Dispose();
        }
    }

    /// <summary>Asserts that a declared input or output has the given element type and shape (-1 for a dynamic dim).</summary>
    public static void AssertTensor(IReadOnlyDictionary<string, NodeMetadata> declared, string name, TensorElementType type, params int[] shape)
    {
        Assert.True(declared.TryGetValue(name, out var metadata), $"Expected '{name}' among [{string.Join(", ", declared.Keys)}].");
        Assert.True(metadata!.IsTensor, $"'{name}' is not a tensor.");
        Assert.Equal(type, metadata.ElementDataType);
        Assert.Equal(shape, metadata.Dimensions);
    }

    public void Dispose() => _session.Dispose();
}
