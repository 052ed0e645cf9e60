namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>The compressions <c>pack</c> offers.</summary>
internal enum CompressionMethod
{
    /// <summary><c>--quantize int8</c>: dynamic int8 MatMul/Gemm, weight-only int8 Conv, ConvTranspose and recurrent weights.</summary>
    Int8,
    /// <summary><c>--fp16</c>: float16 weights and compute, float32 at the edges.</summary>
    Fp16,
}

/// <summary>
/// How to compress at pack time and how to check it: real inputs from <paramref name="CalibrationDir"/> or seeded
/// synthetic ones, the largest drift allowed, and the smallest top-1 agreement every class-score output must keep.
/// </summary>
internal sealed record CompressionRequest(CompressionMethod Method, double? MaxDrift = null, string? CalibrationDir = null, int Seed = 42,
    double? MinAgreement = null)
{
    public string MethodName => Method switch { CompressionMethod.Int8 => "int8-dynamic", _ => "fp16" };
}
