namespace ModelOperator.SampleModels;

/// <summary>
/// SplitMix64: a tiny fixed-seed generator whose sequence is defined here, not by the .NET version, so model
/// weights (and the model bytes) never change between machines or SDK updates.
/// </summary>
internal sealed class DeterministicRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A float uniformly drawn from [-limit, limit).</summary>
    public float NextSymmetric(float limit) => (float)((NextUInt64() >> 40) * (1.0 / (1UL << 24)) * 2 - 1) * limit;

    public float[] Symmetric(int count, float limit)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++) values[i] = NextSymmetric(limit);
        return values;
    }
}
