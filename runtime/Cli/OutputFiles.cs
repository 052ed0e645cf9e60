namespace ModelOperator.Runtime.Cli;

/// <summary>Checks an output file can be written before a long run, rather than failing at its end.</summary>
internal static class OutputFiles
{
    public static void CheckWritable(string path, string option)
    {
        try
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full)) throw new CliFailureException($"{option} '{path}' is a directory, not a file");
            var existed = File.Exists(full);
            using (new FileStream(full, FileMode.OpenOrCreate, FileAccess.Write)) { }
            if (!existed) File.Delete(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliFailureException($"{option} '{path}' cannot be written: {e.Message}");
        }
    }
}
