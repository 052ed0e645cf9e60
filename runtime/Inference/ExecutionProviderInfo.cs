namespace ModelOperator.Runtime.Inference;

/// <summary>The execution provider a model runs on, the device's name, and why it was chosen (the fallback reason, if any).</summary>
internal sealed record ExecutionProviderInfo(string Provider, string Device, string Reason);
