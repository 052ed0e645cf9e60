namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// One answered request to send to the shadow: its REST body as the client sent it (path, content type, binary header
/// length), or its gRPC message, the stable's answer to compare with, and the target it was sampled for.
/// </summary>
internal sealed record MirrorCopy(string Model, string Path, string RequestId, byte[] Body, string? ContentType, string? HeaderLength,
    IReadOnlyList<AnswerTensor> StableAnswer, ShadowTarget Target)
{
    /// <summary>The gRPC request to send to <see cref="ShadowTarget.GrpcUrl"/> instead of the REST body; null for a REST copy.</summary>
    public Grpc.Inference.ModelInferRequest? GrpcRequest { get; init; }
}

/// <summary>A request whose shadow answer disagreed: which output, and why (both top-1 indices of the first differing row, or the mismatch).</summary>
internal sealed record ShadowExample(string RequestId, string Output, string Why);
