namespace ModelOperator.Runtime.Cli;

/// <summary>A command that cannot do its work (a bad URL, an unwritable output): one line on stderr and exit 1.</summary>
internal sealed class CliFailureException(string message) : Exception(message);
