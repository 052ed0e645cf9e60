namespace ModelOperator.Runtime.Packaging;

/// <summary>Turns the expected failures of a packaging command into one line on stderr and exit code 1.</summary>
internal static class CommandErrors
{
    public static async Task<int> RunAsync(string command, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is PackageException or DigestMismatchException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"model-runtime {command}: {e.Message}");
            return 1;
        }
    }
}
