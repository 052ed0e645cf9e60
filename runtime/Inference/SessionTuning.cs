namespace ModelOperator.Runtime.Inference;

/// <summary>
/// Threading of an ONNX Runtime session. A server shares its cores between Kestrel and inference, so by default the
/// intra-op pool is sized to the cores and its threads do not spin-wait (spinning starves the request threads).
/// </summary>
internal sealed record SessionTuning(int IntraOpThreads, bool AllowSpinning)
{
    public static SessionTuning ForServing() => new(Environment.ProcessorCount, AllowSpinning: false);

    /// <summary>ONNX Runtime's own defaults, as a plain in-process caller gets them.</summary>
    public static SessionTuning OrtDefaults() => new(0, AllowSpinning: true);
}
