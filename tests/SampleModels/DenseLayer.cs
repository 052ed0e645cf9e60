namespace ModelOperator.SampleModels;

/// <summary>
/// A fully connected layer, <c>y = x · Weights + Bias</c>, as the sample models use it: <see cref="Weights"/> is
/// row-major [<see cref="Inputs"/>, <see cref="Outputs"/>]. Public so tests can
/// recompute a model's output independently of ONNX Runtime.
/// </summary>
public sealed record DenseLayer(int Inputs, int Outputs, float[] Weights, float[] Bias)
{
    internal static DenseLayer Random(DeterministicRandom random, int inputs, int outputs, float scale = 1f) => new(
        inputs, outputs,
        random.Symmetric(inputs * outputs, scale * MathF.Sqrt(6f / (inputs + outputs))),
        random.Symmetric(outputs, 0.05f));
}
