using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Server;

/// <summary>The models a server serves, found by name (and version, when the path names one).</summary>
internal sealed class ModelRegistry(IReadOnlyList<ServedModel> models)
{
    public IReadOnlyList<ServedModel> Models { get; } = models;

    public bool Contains(string name) => Models.Any(m => m.Name == name);

    /// <summary>The model, or a 404 naming what this server does serve.</summary>
    public ServedModel Find(string name, string? version)
    {
        var model = Models.FirstOrDefault(m => m.Name == name)
            ?? throw ProtocolException.NotFound($"unknown model '{ClientText.Cut(name)}'; this server serves: {string.Join(", ", Models.Select(m => m.Name))}");
        if (version is not null && version != model.Version)
            throw ProtocolException.NotFound($"model '{name}' has no version '{ClientText.Cut(version)}'; its version is '{model.Version}'");
        return model;
    }
}
