using System.Text.Json;

namespace ModelOperator.Runtime.Packaging;

/// <summary>The JSON settings every package document is written and read with.</summary>
internal static class PackageJson
{
    // Respecting nullable annotations and constructor parameters turns a missing field into a clear error, not a null.
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };
    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new PackageException($"{what} is empty (null)");
        }
        catch (JsonException e)
        {
            throw new PackageException($"{what} is not valid JSON: {e.Message}", e);
        }
    }
}
