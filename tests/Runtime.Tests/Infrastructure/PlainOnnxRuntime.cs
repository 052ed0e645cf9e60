using Microsoft.ML.OnnxRuntime;

namespace ModelOperator.Runtime.Tests.Infrastructure;

/// <summary>The reference: a plain in-process ONNX Runtime session with default options, as any user would run it.</summary>
internal static class PlainOnnxRuntime
{
    public static float[] RunFloat(string modelPath, string input, float[] data, long[] shape, string output)
    {
        using var session = new InferenceSession(modelPath);
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input], [value], [output]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-5f)
    {
        Xunit.Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Xunit.Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, served {actual[i]}");
    }
}
