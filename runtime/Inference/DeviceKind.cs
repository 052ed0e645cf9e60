namespace ModelOperator.Runtime.Inference;

/// <summary>Where a model should run: <c>auto</c> tries CUDA then falls back to CPU, the others insist.</summary>
internal enum DeviceKind { Auto, Cuda, Cpu }

internal static class DeviceKinds
{
    public static DeviceKind Parse(string? value) => value?.ToLowerInvariant() switch
    {
        null or "auto" => DeviceKind.Auto,
        "cuda" or "gpu" => DeviceKind.Cuda,
        "cpu" => DeviceKind.Cpu,
        _ => throw new ArgumentException($"--device must be auto, cuda or cpu, got '{value}'"),
    };
}
