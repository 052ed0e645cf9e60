using System.Runtime.InteropServices;

namespace ModelOperator.Runtime.Inference;

/// <summary>
/// Why the CUDA execution provider failed to load, in the loader's own words. ONNX Runtime's exception only says
/// "Failed to load shared library"; loading the provider library directly surfaces dlerror's missing dependency.
/// </summary>
internal static class CudaDiagnosis
{
    private const string ProviderLibrary = "libonnxruntime_providers_cuda.so";

    public static string? LoaderError()
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, ProviderLibrary),
            Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", ProviderLibrary),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", ProviderLibrary),
        };
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null) return $"{ProviderLibrary} is not installed next to the runtime";
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (DllNotFoundException e)
        {
            var message = e.Message;
            var missing = message.IndexOf(": cannot open shared object file", StringComparison.Ordinal);
            if (missing > 0)
            {
                var start = message.LastIndexOfAny([' ', '\n', '\t', ':'], missing - 1) + 1;
                return $"{message[start..missing]} (a CUDA library) cannot be loaded";
            }
            return message.Length > 300 ? message[..300] : message;
        }
        catch (BadImageFormatException e) { return e.Message; }
    }
}
