namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// One answered request to send to the shadow: its body as the client sent it, the stable's answer to compare with,
/// and the target it was sampled for.
/// </summary>
internal sealed record MirrorCopy(string Model, string Path, string RequestId, byte[] Body, string? ContentType, string? HeaderLength,
    IReadOnlyList<AnswerTensor> StableAnswer, ShadowTarget Target);

/// <summary>A request whose shadow answer disagreed: which output, and why (both top-1 indices of the first differing row, or the mismatch).</summary>
internal sealed record ShadowExample(string RequestId, string Output, string Why);
