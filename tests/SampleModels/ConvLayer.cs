namespace ModelOperator.SampleModels;

/// <summary>
/// A square 2-D convolution with stride 1 and no padding: <see cref="Weights"/> is
/// [<see cref="OutChannels"/>, <see cref="InChannels"/>, <see cref="Kernel"/>, <see cref="Kernel"/>] row-major,
/// as ONNX <c>Conv</c> expects. Public so tests can
/// recompute a model's output independently of ONNX Runtime.
/// </summary>
public sealed record ConvLayer(int OutChannels, int InChannels, int Kernel, float[] Weights, float[] Bias)
{
    internal static ConvLayer Random(DeterministicRandom random, int outChannels, int inChannels, int kernel)
    {
        var fanIn = inChannels * kernel * kernel;
        // He-uniform keeps activations at a similar scale through the ReLU layers.
        return new(outChannels, inChannels, kernel,
            random.Symmetric(outChannels * fanIn, MathF.Sqrt(6f / fanIn)),
            random.Symmetric(outChannels, 0.05f));
    }
}
