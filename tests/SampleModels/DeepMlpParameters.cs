namespace ModelOperator.SampleModels;

/// <summary>
/// The weights of the deep MLP sample: <c>h = ReLU(h · W + b)</c> for each of <see cref="Hidden"/> in order,
/// starting from the features, then <c>scores = h · W + b</c> with <see cref="Output"/>.
/// </summary>
public sealed record DeepMlpParameters(IReadOnlyList<DenseLayer> Hidden, DenseLayer Output);
