namespace ModelOperator.Runtime.Inference;

/// <summary>A model that cannot be loaded or served as asked; the message says why.</summary>
internal sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
