namespace ModelOperator.Runtime.Packaging.Onnx;

/// <summary>
/// An ONNX <c>ModelProto</c> read losslessly (see <see cref="ProtoMessage"/>) with typed access to its main graph,
/// and the directory its external data files are resolved against.
/// </summary>
internal sealed class OnnxModel
{
    public ProtoMessage Proto { get; }
    public string? BaseDirectory { get; }

    private OnnxModel(ProtoMessage proto, string? baseDirectory)
    {
        Proto = proto;
        BaseDirectory = baseDirectory;
    }

    public static OnnxModel Load(string path)
    {
        try
        {
            return Parse(File.ReadAllBytes(path), Path.GetDirectoryName(Path.GetFullPath(path)));
        }
        catch (ProtoFormatException e)
        {
            throw new PackageException($"'{Path.GetFileName(path)}' is not an ONNX model: {e.Message}", e);
        }
    }

    public static OnnxModel Parse(byte[] bytes, string? baseDirectory = null)
    {
        var proto = ProtoMessage.Parse(bytes);
        if (proto.Message(OnnxFields.ModelGraph) is null) throw new ProtoFormatException("the model has no graph");
        return new OnnxModel(proto, baseDirectory);
    }

    public OnnxGraph Graph => new(Proto.Message(OnnxFields.ModelGraph)!);

    /// <summary>The opset version the model imports for the default (<c>ai.onnx</c>) domain.</summary>
    public long DefaultOpset => Proto.Messages(OnnxFields.ModelOpsetImport)
        .Where(o => (o.String(OnnxFields.OpsetDomain) ?? "") is "" or "ai.onnx")
        .Select(o => o.Int(OnnxFields.OpsetVersion) ?? 0).DefaultIfEmpty(0).Max();

    /// <summary>The opset version the model imports for <paramref name="domain"/>, or null when it imports none.</summary>
    public long? OpsetOf(string domain) => Proto.Messages(OnnxFields.ModelOpsetImport)
        .Where(o => (o.String(OnnxFields.OpsetDomain) ?? "") == domain).Select(o => (long?)(o.Int(OnnxFields.OpsetVersion) ?? 0)).FirstOrDefault();

    /// <summary>Adds an opset import for <paramref name="domain"/> unless the model already imports it.</summary>
    public void ImportOpset(string domain, long version)
    {
        if (OpsetOf(domain) is not null) return;
        var opset = new ProtoMessage();
        opset.Add(ProtoField.OfString(OnnxFields.OpsetDomain, domain));
        opset.Add(ProtoField.OfVarint(OnnxFields.OpsetVersion, (ulong)version));
        Proto.Add(ProtoField.OfMessage(OnnxFields.ModelOpsetImport, opset));
    }

    /// <summary>The ONNX IR version the model declares (0 when absent).</summary>
    public long IrVersion
    {
        get => Proto.Int(OnnxFields.ModelIrVersion) ?? 0;
        set => Proto.SetInt(OnnxFields.ModelIrVersion, value);
    }

    public byte[] ToByteArray() => Proto.ToByteArray();

    public void Save(string path) => File.WriteAllBytes(path, ToByteArray());

    /// <summary>The tensors of the main graph stored in external files, with their location relative to the model.</summary>
    public IEnumerable<string> ExternalDataLocations() =>
        Graph.Initializers.Select(t => new OnnxTensor(t)).Where(t => t.IsExternal)
            .Select(t => t.ExternalLocation ?? throw new PackageException($"tensor '{t.Name}' is marked external but names no location"))
            .Distinct(StringComparer.Ordinal);
}
