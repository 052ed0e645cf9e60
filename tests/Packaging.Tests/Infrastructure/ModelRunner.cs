using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>Runs a model in ONNX Runtime on seeded float inputs and returns every output as floats, to compare models as a client would.</summary>
internal static class ModelRunner
{
    public static Dictionary<string, float[]> Run(string modelPath, string input, int[] shape, int seed = 7)
    {
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1, (a, d) => a * d)];
        for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        using var session = new InferenceSession(modelPath);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(values, shape))]);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    public static double MaxAbsDifference(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs((double)p.First - p.Second));
}
