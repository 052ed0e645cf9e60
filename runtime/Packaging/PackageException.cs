namespace ModelOperator.Runtime.Packaging;

/// <summary>A model package, reference or registry answer that cannot be used; the message says what is wrong.</summary>
internal sealed class PackageException(string message, Exception? inner = null) : Exception(message, inner);
