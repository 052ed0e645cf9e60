namespace ModelOperator.SampleModels;

/// <summary>
/// The weights of the MNIST CNN sample: 3×3 convolutions with 32, 64 and 64 channels (the first two followed by
/// 2×2 max-pooling), then dense layers 576 → 64 → 10.
/// </summary>
public sealed record MnistCnnParameters(ConvLayer Conv1, ConvLayer Conv2, ConvLayer Conv3, DenseLayer Dense1, DenseLayer Dense2);
