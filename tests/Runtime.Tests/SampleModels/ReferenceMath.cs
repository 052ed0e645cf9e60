using ModelOperator.SampleModels;

namespace ModelOperator.Runtime.Tests.SampleModels;

/// <summary>Plain-loop versions of the layers the sample models use, to check ONNX Runtime's answers independently.</summary>
internal static class ReferenceMath
{
    public static float[] Dense(ReadOnlySpan<float> input, DenseLayer layer)
    {
        var output = (float[])layer.Bias.Clone();
        for (var i = 0; i < layer.Inputs; i++)
            for (var o = 0; o < layer.Outputs; o++)
                output[o] += input[i] * layer.Weights[i * layer.Outputs + o];
        return output;
    }

    /// <summary>Stride-1, unpadded convolution of one CHW image.</summary>
    public static float[] Conv(ReadOnlySpan<float> image, int height, int width, ConvLayer layer)
    {
        int k = layer.Kernel, outHeight = height - k + 1, outWidth = width - k + 1;
        var output = new float[layer.OutChannels * outHeight * outWidth];
        for (var o = 0; o < layer.OutChannels; o++)
            for (var y = 0; y < outHeight; y++)
                for (var x = 0; x < outWidth; x++)
                {
                    var sum = layer.Bias[o];
                    for (var c = 0; c < layer.InChannels; c++)
                        for (var ky = 0; ky < k; ky++)
                            for (var kx = 0; kx < k; kx++)
                                sum += image[(c * height + y + ky) * width + x + kx] * layer.Weights[((o * layer.InChannels + c) * k + ky) * k + kx];
                    output[(o * outHeight + y) * outWidth + x] = sum;
                }
        return output;
    }

    /// <summary>2×2 max-pooling with stride 2 of a CHW tensor; a trailing odd row or column is dropped, as ONNX does.</summary>
    public static float[] MaxPool2x2(ReadOnlySpan<float> input, int channels, int height, int width)
    {
        int outHeight = height / 2, outWidth = width / 2;
        var output = new float[channels * outHeight * outWidth];
        for (var c = 0; c < channels; c++)
            for (var y = 0; y < outHeight; y++)
                for (var x = 0; x < outWidth; x++)
                {
                    var at = (c * height + 2 * y) * width + 2 * x;
                    output[(c * outHeight + y) * outWidth + x] =
                        Math.Max(Math.Max(input[at], input[at + 1]), Math.Max(input[at + width], input[at + width + 1]));
                }
        return output;
    }

    public static float[] Relu(float[] values) => values.Select(v => Math.Max(v, 0f)).ToArray();

    public static float[] Softmax(float[] logits)
    {
        var max = logits.Max();
        var exps = logits.Select(v => Math.Exp(v - max)).ToArray();
        var total = exps.Sum();
        return exps.Select(e => (float)(e / total)).ToArray();
    }

    /// <summary>Deterministic test data in [low, high), different for every (seed, index).</summary>
    public static float[] Pattern(int count, int seed, float low = -1f, float high = 1f) =>
        Enumerable.Range(0, count).Select(i => low + (high - low) * (((i * 7919 + seed * 104729) % 1000) / 1000f)).ToArray();
}
