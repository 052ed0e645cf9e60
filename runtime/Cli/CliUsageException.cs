namespace ModelOperator.Runtime.Cli;

/// <summary>A command line that cannot be run as written (exit code 2); the message says what is wrong.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
