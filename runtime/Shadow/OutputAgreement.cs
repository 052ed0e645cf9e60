namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// How one output of the shadow's answer compares with the stable's answer to the same request.
/// </summary>
/// <param name="Output">The output's name.</param>
/// <param name="Top1Agrees">
/// For a class-score output (floating point, last axis of at least two): whether every row's top-1 agrees; null for
/// other outputs, where only <paramref name="MaxAbsDiff"/> applies.
/// </param>
/// <param name="MaxAbsDiff">The largest |stable − shadow| over the output's elements; +∞ when they cannot be compared (a mismatch, or NaN on one side only).</param>
/// <param name="Mismatch">Why the two outputs could not be compared element by element (missing, another datatype or shape); null when they could.</param>
/// <param name="Disagreement">The first row whose top-1 differs, for an example a person can look at; null when all agree.</param>
internal sealed record OutputAgreement(string Output, bool? Top1Agrees, double MaxAbsDiff, string? Mismatch = null, Top1Disagreement? Disagreement = null)
{
    /// <summary>Whether the output counts as agreeing: no mismatch and, for a class-score output, every row's top-1 the same.</summary>
    public bool Agrees => Mismatch is null && Top1Agrees != false;
}

/// <summary>One row where the two answers' top-1 differ: the row and each side's top-1 index (−1 for a row without a single maximum).</summary>
internal sealed record Top1Disagreement(int Row, int StableTop1, int ShadowTop1);
