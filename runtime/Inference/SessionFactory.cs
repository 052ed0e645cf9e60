using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace ModelOperator.Runtime.Inference;

/// <summary>
/// Creates an ONNX Runtime session on the requested device. <c>auto</c> tries the CUDA execution provider and falls back
/// to CPU, keeping the reason; <c>cuda</c> fails with a clear error when CUDA cannot be used.
/// </summary>
internal static class SessionFactory
{
    public static (InferenceSession Session, ExecutionProviderInfo Provider) Create(string path, DeviceKind device, SessionTuning tuning)
    {
        if (device == DeviceKind.Cpu)
            return (new InferenceSession(path, CpuOptions(tuning)), new ExecutionProviderInfo("CPU", DeviceNames.Cpu(), "requested --device cpu"));

        string failure;
        try
        {
            using var options = CpuOptions(tuning);
            options.AppendExecutionProvider_CUDA(0);
            var session = new InferenceSession(path, options);
            var reason = device == DeviceKind.Cuda ? "requested --device cuda" : "CUDA available";
            return (session, new ExecutionProviderInfo("CUDA", DeviceNames.Gpu(0), reason));
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            failure = FirstLine(e.Message);
            if (CudaDiagnosis.LoaderError() is { } loader) failure = $"{failure} ({loader})";
        }
        if (device == DeviceKind.Cuda)
            throw new ModelLoadException($"--device cuda: the CUDA execution provider could not be used: {failure}");
        return (new InferenceSession(path, CpuOptions(tuning)),
            new ExecutionProviderInfo("CPU", DeviceNames.Cpu(), $"CUDA unavailable, fell back to CPU: {failure}"));
    }

    private static SessionOptions CpuOptions(SessionTuning tuning)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (tuning.IntraOpThreads > 0) options.IntraOpNumThreads = tuning.IntraOpThreads;
        if (!tuning.AllowSpinning)
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        }
        return options;
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
