namespace ModelOperator.SampleModels.Models;

/// <summary>
/// Other versions of the MNIST CNN with exactly its signature (<c>input</c> FP32 [batch,1,28,28] →
/// <c>probabilities</c> FP32 [batch,10]), for rollouts: a good second version (new weights, same cost) and a slower
/// twin (extra real convolutions, several times the compute) that a canary analysis must roll back, and a version
/// with the same cost whose answers disagree (issue 23: a shadow rollout must roll it back on its answers).
/// </summary>
internal static class MnistCnnVariants
{
    public const string V2Name = "mnist-cnn-v2";
    public const string V2Description =
        "MNIST-shaped CNN, version 2: mnist-cnn's graph and signature with other weights (same cost) -> probabilities FP32 [batch,10].";

    public const string SlowName = "mnist-cnn-slow";
    public const string SlowDescription =
        "MNIST-shaped CNN, slow twin: mnist-cnn's weights and signature plus 9 extra 256->256 3x3 Conv-ReLU at 7x7 (about 10x the compute) -> probabilities FP32 [batch,10].";

    public const string WrongName = "mnist-cnn-wrong";
    public const string WrongDescription =
        "MNIST-shaped CNN, wrong answers: mnist-cnn's graph, signature and cost with the last layer's classes rotated by one, so its top-1 never agrees with mnist-cnn's -> probabilities FP32 [batch,10].";

    public const string V2WrongName = "mnist-cnn-v2-wrong";
    public const string V2WrongDescription =
        "MNIST-shaped CNN, version 2 with wrong answers: mnist-cnn-v2's graph, signature and cost with the last layer's classes rotated by one, so its top-1 never agrees with mnist-cnn-v2's -> probabilities FP32 [batch,10].";

    /// <summary>How many extra convolutions the slow twin runs; each costs about as much as conv2 and conv3 of the original.</summary>
    public const int SlowExtraConvs = 9;

    public static MnistCnnParameters V2Parameters() => MnistCnnModel.Parameters(seed: MnistCnnModel.Seed + 2);

    public static byte[] BuildV2() => MnistCnnModel.Build(V2Parameters(), extraConvs: [], V2Description);

    /// <summary>
    /// mnist-cnn's weights with the output layer's columns (and bias) rotated by one class: class k scores what class k-1
    /// scored, so the top-1 of every input moves to the next class. The same speed and signature beyond doubt, and
    /// answers that disagree on every input, where other random weights (<see cref="BuildV2"/>) agree by chance on some.
    /// </summary>
    public static MnistCnnParameters WrongParameters() => Rotated(MnistCnnModel.Parameters());

    public static byte[] BuildWrong() => MnistCnnModel.Build(WrongParameters(), extraConvs: [], WrongDescription);

    /// <summary>
    /// The same for version 2, the wrong-answers version beside a stable mnist-cnn-v2 (the demo's shadow act): mnist-cnn-wrong
    /// is no use there, because on noise inputs both models' top-1 is mostly one class and the rotation of
    /// mnist-cnn's class lands on mnist-cnn-v2's (they agreed on 99 of the demo's 100 inputs).
    /// </summary>
    public static MnistCnnParameters V2WrongParameters() => Rotated(V2Parameters());

    public static byte[] BuildV2Wrong() => MnistCnnModel.Build(V2WrongParameters(), extraConvs: [], V2WrongDescription);

    private static MnistCnnParameters Rotated(MnistCnnParameters p)
    {
        var d = p.Dense2;
        var weights = new float[d.Weights.Length];
        var bias = new float[d.Bias.Length];
        for (var k = 0; k < d.Outputs; k++)
        {
            var from = (k + d.Outputs - 1) % d.Outputs;
            bias[k] = d.Bias[from];
            for (var i = 0; i < d.Inputs; i++) weights[i * d.Outputs + k] = d.Weights[i * d.Outputs + from];
        }
        return p with { Dense2 = d with { Weights = weights, Bias = bias } };
    }

    public static byte[] BuildSlow()
    {
        var random = new DeterministicRandom(seed: MnistCnnModel.Seed + 0x51_0);
        var extras = Enumerable.Range(0, SlowExtraConvs)
            .Select(_ => ConvLayer.Random(random, MnistCnnModel.Channels3, MnistCnnModel.Channels3, 3, padding: 1))
            .ToList();
        return MnistCnnModel.Build(MnistCnnModel.Parameters(), extras, SlowDescription);
    }
}
