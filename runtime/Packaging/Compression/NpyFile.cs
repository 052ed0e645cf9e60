using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>Reads NumPy <c>.npy</c> files (format 1.0–3.0, little-endian, C order) of the datatypes comparison inputs use.</summary>
internal static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")] private static partial Regex Descr();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex Fortran();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapePattern();

    public static (string Datatype, long[] Shape, Array Data) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic)) throw Bad(path, "it does not start with the .npy magic");
        var major = bytes[6];
        var (headerLength, start) = major == 1 ? (BitConverter.ToUInt16(bytes, 8), 10) : ((int)BitConverter.ToUInt32(bytes, 8), 12);
        if (start + headerLength > bytes.Length) throw Bad(path, "its header runs past the end");
        var header = Encoding.Latin1.GetString(bytes, start, headerLength);
        var descr = Descr().Match(header) is { Success: true } d ? d.Groups[1].Value : throw Bad(path, "its header has no 'descr'");
        if (Fortran().Match(header) is { Success: true } f && f.Groups[1].Value == "True") throw Bad(path, "it is in Fortran order; save it in C order");
        var shapeText = ShapePattern().Match(header) is { Success: true } s ? s.Groups[1].Value : throw Bad(path, "its header has no 'shape'");
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var payload = bytes.AsSpan(start + headerLength);
        var count = shape.Aggregate(1L, (a, x) => a * x);
        (string Datatype, Array Data) typed = descr switch
        {
            "<f4" => ("FP32", MemoryMarshal.Cast<byte, float>(payload).ToArray()),
            "<f8" => ("FP64", MemoryMarshal.Cast<byte, double>(payload).ToArray()),
            "<i8" => ("INT64", MemoryMarshal.Cast<byte, long>(payload).ToArray()),
            "<i4" => ("INT32", MemoryMarshal.Cast<byte, int>(payload).ToArray()),
            "|u1" => ("UINT8", payload.ToArray()),
            "|i1" => ("INT8", MemoryMarshal.Cast<byte, sbyte>(payload).ToArray()),
            "|b1" => ("BOOL", payload.ToArray().Select(b => b != 0).ToArray()),
            _ => throw Bad(path, $"its dtype '{descr}' is not one of <f4, <f8, <i8, <i4, |u1, |i1, |b1"),
        };
        if (typed.Data.Length != count) throw Bad(path, $"it holds {typed.Data.Length} elements for shape ({shapeText})");
        return (typed.Datatype, shape, typed.Data);
    }

    private static PackageException Bad(string path, string why) => new($"calibration file '{path}' is not a usable .npy file: {why}");
}
