namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>A temporary directory removed with everything in it when the test ends.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("packaging-tests-").FullName;

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Writes a sample model and returns its path.</summary>
    public string WriteModel(string fileName, byte[] onnx)
    {
        var path = this[fileName];
        File.WriteAllBytes(path, onnx);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
