namespace ModelOperator.Runtime.Inference;

/// <summary>
/// Threading of an ONNX Runtime session. A server shares its cores between Kestrel and inference, so by default the
/// intra-op pool is sized to the cores and its threads do not spin-wait (spinning starves the request threads).
/// </summary>
internal sealed record SessionTuning(int IntraOpThreads, bool AllowSpinning)
{
    /// <param name="concurrentRuns">Runs the server lets happen at once; the cores are shared out between them.</param>
    public static SessionTuning ForServing(int concurrentRuns = 1) =>
        new(Math.Max(1, Environment.ProcessorCount / Math.Max(1, concurrentRuns)), AllowSpinning: false);

    /// <summary>ONNX Runtime's own defaults, as a plain in-process caller gets them.</summary>
    public static SessionTuning OrtDefaults() => new(0, AllowSpinning: true);
}
