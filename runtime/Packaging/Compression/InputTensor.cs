using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>One input value for a comparison run: the input's name, its OIP datatype, shape and elements (a typed array).</summary>
internal sealed record InputTensor(string Name, string Datatype, long[] Shape, Array Data)
{
    /// <summary>The datatypes comparison inputs can be made of.</summary>
    public static readonly IReadOnlySet<string> Supported = new HashSet<string> { "FP32", "FP64", "INT64", "INT32", "UINT8", "INT8", "BOOL" };

    public NamedOnnxValue ToOnnxValue()
    {
        var dims = Shape.Select(d => checked((int)d)).ToArray();
        return Data switch
        {
            float[] v => NamedOnnxValue.CreateFromTensor(Name, new DenseTensor<float>(v, dims)),
            double[] v => NamedOnnxValue.CreateFromTensor(Name, new DenseTensor<double>(v, dims)),
            long[] v => NamedOnnxValue.CreateFromTensor(Name, new DenseTensor<long>(v, dims)),
            int[] v => NamedOnnxValue.CreateFromTensor(Name, new DenseTensor<int>(v, dims)),
            byte[] v => NamedOnnxValue.CreateFromTensor(Name, new DenseTensor<byte>(v, dims)),
            sbyte[] v => NamedOnnxValue.CreateFromTensor(Name, new DenseTensor<sbyte>(v, dims)),
            bool[] v => NamedOnnxValue.CreateFromTensor(Name, new DenseTensor<bool>(v, dims)),
            _ => throw new PackageException($"input '{Name}': {Datatype} inputs cannot be used to compare models"),
        };
    }
}

/// <summary>The inputs both models are run on, and how they were made (for the report).</summary>
internal sealed record ComparisonInputs(IReadOnlyList<IReadOnlyList<InputTensor>> Samples, string Source);
