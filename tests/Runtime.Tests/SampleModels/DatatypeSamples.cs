using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

/// <summary>For each element type: values covering its edges (min, max, NaN, empty string, …) and a bit-exact comparison.</summary>
internal static class DatatypeSamples
{
    /// <summary>Makes an input tensor of <paramref name="rows"/> × <paramref name="width"/> values and a check that an output equals it.</summary>
    public static (OrtValue Input, Action<OrtResults, string> AssertEqualsInput) Make(OnnxElementType type, int rows, int width)
    {
        var count = rows * width;
        return type switch
        {
            OnnxElementType.Bool => Unmanaged(Cycle(count, true, false, false), rows, width),
            OnnxElementType.UInt8 => Unmanaged(Cycle<byte>(count, 0, byte.MaxValue, 1, 128), rows, width),
            OnnxElementType.UInt16 => Unmanaged(Cycle<ushort>(count, 0, ushort.MaxValue, 1, 40_000), rows, width),
            OnnxElementType.UInt32 => Unmanaged(Cycle<uint>(count, 0, uint.MaxValue, 1, 3_000_000_000), rows, width),
            OnnxElementType.UInt64 => Unmanaged(Cycle<ulong>(count, 0, ulong.MaxValue, 1, 1UL << 63), rows, width),
            OnnxElementType.Int8 => Unmanaged(Cycle<sbyte>(count, sbyte.MinValue, sbyte.MaxValue, 0, -1), rows, width),
            OnnxElementType.Int16 => Unmanaged(Cycle<short>(count, short.MinValue, short.MaxValue, 0, -1), rows, width),
            OnnxElementType.Int32 => Unmanaged(Cycle(count, int.MinValue, int.MaxValue, 0, -1), rows, width),
            OnnxElementType.Int64 => Unmanaged(Cycle(count, long.MinValue, long.MaxValue, 0, -1), rows, width),
            OnnxElementType.Float16 => Unmanaged(Cycle(count, (Float16)0f, (Float16)(-1.5f), (Float16)65504f, (Float16)float.NaN), rows, width),
            OnnxElementType.Float => Unmanaged(Cycle(count, 0f, -1.5f, float.MaxValue, float.Epsilon, float.NaN, float.NegativeInfinity), rows, width),
            OnnxElementType.Double => Unmanaged(Cycle(count, 0d, -1.5d, double.MaxValue, double.Epsilon, double.NaN, double.PositiveInfinity), rows, width),
            OnnxElementType.String => Strings(Cycle(count, "", "hello", "ünïcödé 🙂", "tab\tnewline\n", new string('x', 1000)), rows, width),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No samples for this element type."),
        };
    }

    private static (OrtValue, Action<OrtResults, string>) Unmanaged<T>(T[] values, int rows, int width) where T : unmanaged =>
        (OrtSession.Tensor(values, rows, width), (results, name) =>
        {
            Assert.Equal([rows, (long)width], results.Shape(name));
            // Bytes, not values: NaN must come back as the same NaN.
            Assert.Equal(MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), MemoryMarshal.AsBytes(results.Values<T>(name).AsSpan()).ToArray());
        });

    private static (OrtValue, Action<OrtResults, string>) Strings(string[] values, int rows, int width) =>
        (OrtSession.Strings(values, rows, width), (results, name) =>
        {
            Assert.Equal([rows, (long)width], results.Shape(name));
            Assert.Equal(values, results.Strings(name));
        });

    private static T[] Cycle<T>(int count, params T[] values) => Enumerable.Range(0, count).Select(i => values[i % values.Length]).ToArray();
}
