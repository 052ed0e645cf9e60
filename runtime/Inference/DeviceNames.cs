namespace ModelOperator.Runtime.Inference;

/// <summary>Human names of the devices a model runs on, as the benchmark and metadata report them.</summary>
internal static class DeviceNames
{
    public static string Cpu()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            var model = line?.Split(':', 2)[1].Trim();
            return $"{model ?? "cpu"} ({Environment.ProcessorCount} cores)";
        }
        catch (IOException) { return $"cpu ({Environment.ProcessorCount} cores)"; }
        catch (UnauthorizedAccessException) { return $"cpu ({Environment.ProcessorCount} cores)"; }
    }

    /// <summary>The GPU's model from the NVIDIA driver's /proc entry, or <c>cuda:N</c> when that is not readable.</summary>
    public static string Gpu(int index)
    {
        try
        {
            var dir = Directory.GetDirectories("/proc/driver/nvidia/gpus").Order().ElementAtOrDefault(index);
            var line = dir is null ? null : File.ReadLines(Path.Combine(dir, "information")).FirstOrDefault(l => l.StartsWith("Model:", StringComparison.Ordinal));
            return line is null ? $"cuda:{index}" : $"{line.Split(':', 2)[1].Trim()} (cuda:{index})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"cuda:{index}"; }
    }
}
