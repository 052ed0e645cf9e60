namespace ModelOperator.Operator.Cli;

/// <summary>The operator cannot start (no usable kubeconfig, an unreachable API server): one line on stderr and exit 1.</summary>
internal sealed class StartupFailedException(string message, Exception? inner = null) : Exception(message, inner);
