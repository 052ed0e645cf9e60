namespace ModelOperator.SampleModels.Models;

/// <summary>
/// Other versions of the MNIST CNN with exactly its signature (<c>input</c> FP32 [batch,1,28,28] →
/// <c>probabilities</c> FP32 [batch,10]), for rollouts: a good second version (new weights, same cost) and a slower
/// twin (extra real convolutions, several times the compute) that a canary analysis must roll back.
/// </summary>
internal static class MnistCnnVariants
{
    public const string V2Name = "mnist-cnn-v2";
    public const string V2Description =
        "MNIST-shaped CNN, version 2: mnist-cnn's graph and signature with other weights (same cost) -> probabilities FP32 [batch,10].";

    public const string SlowName = "mnist-cnn-slow";
    public const string SlowDescription =
        "MNIST-shaped CNN, slow twin: mnist-cnn's weights and signature plus 9 extra 256->256 3x3 Conv-ReLU at 7x7 (about 10x the compute) -> probabilities FP32 [batch,10].";

    /// <summary>How many extra convolutions the slow twin runs; each costs about as much as conv2 and conv3 of the original.</summary>
    public const int SlowExtraConvs = 9;

    public static MnistCnnParameters V2Parameters() => MnistCnnModel.Parameters(seed: MnistCnnModel.Seed + 2);

    public static byte[] BuildV2() => MnistCnnModel.Build(V2Parameters(), extraConvs: [], V2Description);

    public static byte[] BuildSlow()
    {
        var random = new DeterministicRandom(seed: MnistCnnModel.Seed + 0x51_0);
        var extras = Enumerable.Range(0, SlowExtraConvs)
            .Select(_ => ConvLayer.Random(random, MnistCnnModel.Channels3, MnistCnnModel.Channels3, 3, padding: 1))
            .ToList();
        return MnistCnnModel.Build(MnistCnnModel.Parameters(), extras, SlowDescription);
    }
}
