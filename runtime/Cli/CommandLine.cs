namespace ModelOperator.Runtime.Cli;

/// <summary>Entry point of the <c>model-runtime</c> command: dispatches to one command per file in this folder.</summary>
internal static class CommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        await Task.CompletedTask;
        Console.Error.WriteLine("usage: model-runtime <serve|bench|pack|push|pull|inspect> [options]");
        return 2;
    }
}
