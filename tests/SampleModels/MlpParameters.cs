namespace ModelOperator.SampleModels;

/// <summary>The weights of the MLP sample: <c>scores = Output(ReLU(Hidden(features)))</c>.</summary>
public sealed record MlpParameters(DenseLayer Hidden, DenseLayer Output);
