namespace ModelOperator.Operator.Rollout;

/// <summary>
/// Compares a new revision's signature with the stable revision's. A tensor differs when it is missing or added, or
/// its datatype, rank or any dimension differs (<c>[1,24,96]</c> against <c>[1,25,96]</c>; a fixed dimension against
/// a dynamic one too, since callers of one may not fit the other). Two dynamic dimensions are the same.
/// </summary>
public static class SignatureGuard
{
    /// <summary>Every difference, each naming the tensor and both sides; empty when the signatures match.</summary>
    public static IReadOnlyList<string> Differences(ModelSignature stable, ModelSignature candidate)
    {
        var differences = new List<string>();
        Compare("input", stable.Inputs, candidate.Inputs, differences);
        Compare("output", stable.Outputs, candidate.Outputs, differences);
        return differences;
    }

    private static void Compare(string kind, IReadOnlyList<TensorSignature> stable, IReadOnlyList<TensorSignature> candidate, List<string> differences)
    {
        foreach (var s in stable)
        {
            var c = candidate.FirstOrDefault(t => t.Name == s.Name);
            if (c is null)
            {
                differences.Add($"{kind} '{s.Name}' {s.Datatype}{s.ShapeText} is missing from the new revision");
                continue;
            }
            if (!string.Equals(s.Datatype, c.Datatype, StringComparison.OrdinalIgnoreCase))
                differences.Add($"{kind} '{s.Name}' datatype changed from {s.Datatype} to {c.Datatype}");
            else if (s.Shape.Count != c.Shape.Count)
                differences.Add($"{kind} '{s.Name}' rank changed from {s.Shape.Count} {s.ShapeText} to {c.Shape.Count} {c.ShapeText}");
            else if (!s.Shape.Select(Normalise).SequenceEqual(c.Shape.Select(Normalise)))
                differences.Add($"{kind} '{s.Name}' shape changed from {s.ShapeText} to {c.ShapeText}");
        }
        foreach (var c in candidate.Where(c => stable.All(s => s.Name != c.Name)))
            differences.Add($"{kind} '{c.Name}' {c.Datatype}{c.ShapeText} is new in the new revision");
    }

    // Runtimes write a dynamic dimension as -1 (or any negative number); all of them mean "any size".
    private static long Normalise(long dim) => dim < 0 ? -1 : dim;
}
