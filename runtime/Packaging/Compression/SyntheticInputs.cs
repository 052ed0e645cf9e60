namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>
/// Seeded synthetic inputs: standard-normal floats, integers in [0, 100), random booleans, at the shapes given with
/// <c>--input-shape</c> or else the model's fixed dims (a dynamic first dim becomes <see cref="DefaultBatch"/>).
/// </summary>
internal static class SyntheticInputs
{
    public const int DefaultBatch = 8;
    public const int DefaultSamples = 16;

    public static ComparisonInputs Create(ModelSignature signature, IReadOnlyDictionary<string, long[]>? shapes, int seed, int samples = DefaultSamples)
    {
        var random = new Random(seed);
        var resolved = signature.Inputs.Select(i => (Input: i, Shape: Resolve(i, shapes))).ToList();
        var list = new List<IReadOnlyList<InputTensor>>();
        for (var s = 0; s < samples; s++)
            list.Add(resolved.Select(r => Fill(r.Input, r.Shape, random)).ToList());
        var described = string.Join(", ", resolved.Select(r => $"{r.Input.Name}=[{string.Join(",", r.Shape)}]"));
        return new ComparisonInputs(list, $"synthetic (seed {seed}, {samples} samples of {described})");
    }

    /// <summary>The shape to feed <paramref name="input"/>: the one given, else its fixed dims; a dynamic dim anywhere but first needs one given.</summary>
    public static long[] Resolve(TensorSpec input, IReadOnlyDictionary<string, long[]>? shapes)
    {
        if (shapes?.GetValueOrDefault(input.Name) is { } given)
        {
            if (input.Shape.Count != given.Length)
                throw new PackageException($"--input-shape {input.Name} has {given.Length} dims; the model's input has {input.Shape.Count} ([{string.Join(",", input.Shape)}])");
            for (var i = 0; i < given.Length; i++)
                if (input.Shape[i] >= 0 && input.Shape[i] != given[i])
                    throw new PackageException($"--input-shape {input.Name}=[{string.Join(",", given)}] conflicts with the model's fixed dim {i} = {input.Shape[i]}");
            return given;
        }
        var shape = input.Shape.ToArray();
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] >= 0) continue;
            if (i > 0) throw new PackageException($"input '{input.Name}' has a dynamic dim {i} ([{string.Join(",", input.Shape)}]); give its shape with --input-shape {input.Name}=d1,d2,…");
            shape[i] = DefaultBatch;
        }
        return shape;
    }

    private static InputTensor Fill(TensorSpec input, long[] shape, Random random)
    {
        var count = checked((int)shape.Aggregate(1L, (a, d) => a * d));
        Array data = input.Datatype switch
        {
            "FP32" => Enumerable.Range(0, count).Select(_ => (float)Normal(random)).ToArray(),
            "FP64" => Enumerable.Range(0, count).Select(_ => Normal(random)).ToArray(),
            "INT64" => Enumerable.Range(0, count).Select(_ => (long)random.Next(100)).ToArray(),
            "INT32" => Enumerable.Range(0, count).Select(_ => random.Next(100)).ToArray(),
            "UINT8" => Enumerable.Range(0, count).Select(_ => (byte)random.Next(100)).ToArray(),
            "INT8" => Enumerable.Range(0, count).Select(_ => (sbyte)random.Next(100)).ToArray(),
            "BOOL" => Enumerable.Range(0, count).Select(_ => random.Next(2) == 1).ToArray(),
            _ => throw new PackageException($"input '{input.Name}' is {input.Datatype}; synthetic inputs cannot be made for it, give real ones with --calibration DIR"),
        };
        return new InputTensor(input.Name, input.Datatype, shape, data);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
