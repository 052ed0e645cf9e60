using System.Runtime.InteropServices;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>
/// Real inputs from <c>--calibration DIR</c>: one file per model input, named after it, <c>NAME.npy</c> or raw
/// little-endian elements in <c>NAME.raw</c>/<c>NAME.bin</c> (shaped by <c>--input-shape</c>). DIR holds one sample,
/// or one sub-directory per sample.
/// </summary>
internal static class CalibrationInputs
{
    public static ComparisonInputs Load(string dir, ModelSignature signature, IReadOnlyDictionary<string, long[]>? shapes)
    {
        if (!Directory.Exists(dir)) throw new PackageException($"--calibration directory '{dir}' does not exist");
        var sampleDirs = Directory.GetDirectories(dir).Order(StringComparer.Ordinal).ToList();
        if (sampleDirs.Count == 0) sampleDirs = [dir];
        var samples = sampleDirs.Select(d => (IReadOnlyList<InputTensor>)signature.Inputs.Select(i => LoadOne(d, i, shapes)).ToList()).ToList();
        return new ComparisonInputs(samples, $"calibration ({samples.Count} sample{(samples.Count == 1 ? "" : "s")} from {Path.GetFullPath(dir)})");
    }

    private static InputTensor LoadOne(string dir, TensorSpec input, IReadOnlyDictionary<string, long[]>? shapes)
    {
        var npy = Path.Combine(dir, input.Name + ".npy");
        if (File.Exists(npy))
        {
            var (datatype, shape, data) = NpyFile.Read(npy);
            if (datatype != input.Datatype) throw new PackageException($"calibration file '{npy}' holds {datatype}; input '{input.Name}' is {input.Datatype}");
            Check(npy, input, shape);
            return new InputTensor(input.Name, datatype, shape, data);
        }
        var raw = new[] { ".raw", ".bin" }.Select(e => Path.Combine(dir, input.Name + e)).FirstOrDefault(File.Exists)
            ?? throw new PackageException($"calibration sample '{dir}' has no file for input '{input.Name}' ({input.Name}.npy, .raw or .bin)");
        var rawShape = shapes?.GetValueOrDefault(input.Name)
            ?? (input.Shape.All(d => d >= 0) ? input.Shape.ToArray() : throw new PackageException($"raw calibration file '{raw}' needs its shape: --input-shape {input.Name}=d1,d2,…"));
        Check(raw, input, rawShape);
        var bytes = File.ReadAllBytes(raw);
        Array values = input.Datatype switch
        {
            "FP32" => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
            "FP64" => MemoryMarshal.Cast<byte, double>(bytes).ToArray(),
            "INT64" => MemoryMarshal.Cast<byte, long>(bytes).ToArray(),
            "INT32" => MemoryMarshal.Cast<byte, int>(bytes).ToArray(),
            "UINT8" => bytes,
            "INT8" => MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray(),
            "BOOL" => bytes.Select(b => b != 0).ToArray(),
            _ => throw new PackageException($"input '{input.Name}' is {input.Datatype}, which raw calibration files cannot hold"),
        };
        var expected = rawShape.Aggregate(1L, (a, d) => a * d);
        if (values.Length != expected) throw new PackageException($"raw calibration file '{raw}' holds {values.Length} elements; shape [{string.Join(",", rawShape)}] needs {expected}");
        return new InputTensor(input.Name, input.Datatype, rawShape, values);
    }

    private static void Check(string file, TensorSpec input, long[] shape)
    {
        var fits = shape.Length == input.Shape.Count && shape.Zip(input.Shape).All(p => p.Second < 0 || p.First == p.Second);
        if (!fits) throw new PackageException($"calibration file '{file}' has shape [{string.Join(",", shape)}]; input '{input.Name}' takes [{string.Join(",", input.Shape)}]");
    }
}
