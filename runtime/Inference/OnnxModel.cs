using System.Buffers;
using System.Diagnostics;
using System.Text;
using Microsoft.ML.OnnxRuntime;

namespace ModelOperator.Runtime.Inference;

/// <summary>
/// A loaded ONNX model: its session, its inputs and outputs as the session reports them (nothing is assumed about
/// names, shapes or datatypes), the execution provider it runs on, and a thread-safe <see cref="Run"/>.
/// </summary>
internal sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly RunOptions _shrinkingRunOptions;
    private readonly Dictionary<string, TensorSpec> _inputsByName;
    private readonly Dictionary<string, TensorSpec> _outputsByName;

    private OnnxModel(string path, InferenceSession session, ExecutionProviderInfo provider, TimeSpan loadTime,
        IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TensorSpec> outputs, IReadOnlyList<string> skippedOutputs)
    {
        Path = path; _session = session; Provider = provider; LoadTime = loadTime;
        _shrinkingRunOptions = ArenaShrinking.CreateShrinkingRunOptions(provider.Provider.Contains("CUDA", StringComparison.OrdinalIgnoreCase));
        Inputs = inputs; Outputs = outputs; SkippedOutputs = skippedOutputs;
        _inputsByName = inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        _outputsByName = outputs.ToDictionary(o => o.Name, StringComparer.Ordinal);
        OutputNames = outputs.Select(o => o.Name).ToArray();
        CanBatch = inputs.Count > 0 && inputs.All(i => i.HasDynamicBatchDim) && outputs.All(o => o.HasDynamicBatchDim);
    }

    public string Path { get; }
    public ExecutionProviderInfo Provider { get; }
    public TimeSpan LoadTime { get; }
    public IReadOnlyList<TensorSpec> Inputs { get; }
    public IReadOnlyList<TensorSpec> Outputs { get; }
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Outputs the protocol cannot carry (sequences, maps, unsupported element types); never served.</summary>
    public IReadOnlyList<string> SkippedOutputs { get; }

    /// <summary>True when every input and output has a dynamic first dim, so requests can be stacked into one run.</summary>
    public bool CanBatch { get; }

    public TensorSpec? FindInput(string name) => _inputsByName.GetValueOrDefault(name);
    public TensorSpec? FindOutput(string name) => _outputsByName.GetValueOrDefault(name);

    public static OnnxModel Load(string path, DeviceKind device, SessionTuning tuning)
    {
        var clock = Stopwatch.StartNew();
        InferenceSession session;
        ExecutionProviderInfo provider;
        try { (session, provider) = SessionFactory.Create(path, device, tuning); }
        catch (OnnxRuntimeException e) { throw new ModelLoadException($"cannot load ONNX model {path}: {e.Message}", e); }
        try
        {
            var inputs = new List<TensorSpec>();
            foreach (var name in session.InputNames)
            {
                var meta = session.InputMetadata[name];
                var datatype = meta.IsTensor ? Datatype.FromOrt(meta.ElementDataType) : null;
                if (datatype is null)
                    throw new ModelLoadException($"input '{name}' is a {meta.OnnxValueType} of {meta.ElementDataType}, which the inference protocol cannot carry");
                inputs.Add(new TensorSpec(name, datatype, meta.Dimensions.Select(d => (long)d).ToArray()));
            }
            var outputs = new List<TensorSpec>();
            var skipped = new List<string>();
            foreach (var name in session.OutputNames)
            {
                var meta = session.OutputMetadata[name];
                var datatype = meta.IsTensor ? Datatype.FromOrt(meta.ElementDataType) : null;
                if (datatype is null) skipped.Add(name);
                else outputs.Add(new TensorSpec(name, datatype, meta.Dimensions.Select(d => (long)d).ToArray()));
            }
            if (outputs.Count == 0) throw new ModelLoadException($"model {path} has no tensor outputs the inference protocol can carry");
            return new OnnxModel(path, session, provider, clock.Elapsed, inputs, outputs, skipped);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs the model once. Inputs must already be validated against <see cref="Inputs"/>; the caller disposes the outputs.</summary>
    public TensorData[] Run(IReadOnlyList<TensorData> inputs, IReadOnlyList<string> outputNames)
    {
        var names = new string[inputs.Count];
        var values = new OrtValue[inputs.Count];
        var pins = new MemoryHandle[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                names[i] = inputs[i].Name;
                (values[i], pins[i]) = ToOrtValue(inputs[i]);
            }
            using var results = _session.Run(ArenaShrinking.Applies(inputs) ? _shrinkingRunOptions : _runOptions, names, values, outputNames);
            var outputs = new TensorData[outputNames.Count];
            var index = 0;
            foreach (var value in results) outputs[index] = FromOrtValue(outputNames[index++], value);
            return outputs;
        }
        finally
        {
            foreach (var value in values) value?.Dispose();
            foreach (var pin in pins) pin.Dispose();
        }
    }

    private static unsafe (OrtValue, MemoryHandle) ToOrtValue(TensorData tensor)
    {
        if (tensor.Datatype.IsBytes)
        {
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
            var elements = tensor.Elements!;
            for (var i = 0; i < elements.Length; i++) value.StringTensorSetElementAt(elements[i].AsSpan(), i);
            return (value, default);
        }
        var pin = tensor.Buffer.AsMemory().Pin();
        var ort = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, tensor.Datatype.OrtType, tensor.Shape,
            (IntPtr)pin.Pointer, tensor.ByteLength);
        return (ort, pin);
    }

    private static TensorData FromOrtValue(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var datatype = Datatype.FromOrt(info.ElementDataType)
            ?? throw new InvalidOperationException($"output '{name}' has element type {info.ElementDataType}, which the protocol cannot carry");
        var shape = info.Shape;
        if (datatype.IsBytes)
        {
            var elements = new byte[info.ElementCount][];
            for (var i = 0; i < elements.Length; i++) elements[i] = Encoding.UTF8.GetBytes(value.GetStringElement(i));
            return TensorData.FromElements(name, shape, elements);
        }
        var tensor = TensorData.Rent(name, datatype, shape);
        value.GetTensorMutableRawData()[..tensor.ByteLength].CopyTo(tensor.Bytes);
        return tensor;
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _shrinkingRunOptions.Dispose();
        _session.Dispose();
    }
}
