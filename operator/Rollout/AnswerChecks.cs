namespace ModelOperator.Operator.Rollout;

/// <summary>
/// The answer checks of a shadow rollout (issue 23): the least share of compared requests whose class-score outputs'
/// top-1 agrees, the largest p99 of the per-request max |difference| for regression outputs, and which outputs they
/// apply to (null: every output compared): <c>spec.rollout.analysis.{minAgreement, maxOutputDiff, outputs}</c>. <see cref="AnswerAnalysis"/> judges an interval with them.
/// </summary>
public sealed record AnswerChecks(double? MinAgreement, double? MaxOutputDiff, IReadOnlyList<string>? Outputs = null);
