namespace ModelOperator.SampleModels.Onnx;

/// <summary>
/// Builds one ONNX model (ir_version 8, default-domain opset 17, unless others are given) node by node and serialises
/// it to <c>ModelProto</c> bytes. The output is a pure function of the calls made, so the same calls give the same bytes.
/// With an IR version below 4, every initializer is listed as a graph input too, as those IR versions require.
/// </summary>
public sealed class OnnxGraphBuilder(string graphName, long opsetVersion = OnnxGraphBuilder.OpsetVersion, long irVersion = OnnxGraphBuilder.IrVersion)
{
    /// <summary>The ONNX IR version written into every model.</summary>
    public const long IrVersion = 8;

    /// <summary>The default-domain operator set version every model imports.</summary>
    public const long OpsetVersion = 17;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<OnnxInitializer> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private readonly HashSet<string> _names = [];
    private readonly List<string> _outputNames = [];

    /// <summary>Declares a graph input.</summary>
    public OnnxGraphBuilder Input(string name, OnnxElementType type, params TensorDim[] shape)
    {
        _inputs.Add(ValueInfo(Claim(name), type, shape));
        return this;
    }

    /// <summary>Declares a graph output; some node must produce a value of this name.</summary>
    public OnnxGraphBuilder Output(string name, OnnxElementType type, params TensorDim[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_outputNames.Contains(name)) throw new ArgumentException($"Graph '{graphName}' already has an output named '{name}'.", nameof(name));
        _outputNames.Add(name);
        _outputs.Add(ValueInfo(name, type, shape));
        return this;
    }

    /// <summary>Adds a float constant and returns its name.</summary>
    public string Initializer(string name, float[] values, params long[] dims) => Add(OnnxInitializer.Floats(Claim(name), values, dims));

    /// <summary>Adds a double constant and returns its name.</summary>
    public string Initializer(string name, double[] values, params long[] dims) => Add(OnnxInitializer.Doubles(Claim(name), values, dims));

    /// <summary>Adds an int64 constant and returns its name.</summary>
    public string Initializer(string name, long[] values, params long[] dims) => Add(OnnxInitializer.Int64s(Claim(name), values, dims));

    /// <summary>Adds an int32 constant and returns its name.</summary>
    public string Initializer(string name, int[] values, params long[] dims) => Add(OnnxInitializer.Int32s(Claim(name), values, dims));

    /// <summary>Adds a float constant as a <c>Constant</c> node (as many exporters store weights) and returns its name.</summary>
    public string ConstantNode(string name, float[] values, params long[] dims) =>
        Node("Constant", [], name, OnnxAttribute.Tensor("value", OnnxInitializer.Floats(name, values, dims)));

    /// <summary>Adds a string constant and returns its name.</summary>
    public string Initializer(string name, string[] values, params long[] dims) => Add(OnnxInitializer.Strings(Claim(name), values, dims));

    /// <summary>
    /// Adds a default-domain node with one output and returns that output's name. Its inputs must already exist
    /// (graph inputs, initializers or earlier nodes' outputs), which keeps the nodes topologically sorted as ONNX requires.
    /// </summary>
    public string Node(string opType, string[] inputs, string output, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        foreach (var input in inputs)
            if (!_names.Contains(input))
                throw new ArgumentException($"{opType} node in graph '{graphName}' reads '{input}', which no input, initializer or earlier node provides.", nameof(inputs));
        var node = new ProtoWriter();
        foreach (var input in inputs) node.String(OnnxFields.Node.Input, input);
        node.String(OnnxFields.Node.Output, Claim(output))
            .String(OnnxFields.Node.Name, $"{opType}_{_nodes.Count}")
            .String(OnnxFields.Node.OpType, opType);
        foreach (var attribute in attributes) node.Message(OnnxFields.Node.Attribute, attribute.ToProto());
        _nodes.Add(node);
        return output;
    }

    /// <summary>Serialises the model as <c>ModelProto</c> bytes.</summary>
    public byte[] ToModelBytes(string description)
    {
        if (_inputs.Count == 0 || _outputs.Count == 0)
            throw new InvalidOperationException($"Graph '{graphName}' needs at least one input and one output.");
        if (_outputNames.FirstOrDefault(name => !_names.Contains(name)) is { } missing)
            throw new InvalidOperationException($"Graph '{graphName}' declares output '{missing}', but nothing produces it.");
        var graph = new ProtoWriter();
        foreach (var node in _nodes) graph.Message(OnnxFields.Graph.Node, node);
        graph.String(OnnxFields.Graph.Name, graphName);
        foreach (var initializer in _initializers) graph.Message(OnnxFields.Graph.Initializer, initializer.ToProto());
        foreach (var input in _inputs) graph.Message(OnnxFields.Graph.Input, input);
        if (irVersion < 4)
            foreach (var initializer in _initializers)
                graph.Message(OnnxFields.Graph.Input, ValueInfo(initializer.Name, initializer.Type, initializer.Dims.Select(TensorDim.Fixed).ToArray()));
        foreach (var output in _outputs) graph.Message(OnnxFields.Graph.Output, output);

        var opset = new ProtoWriter().String(OnnxFields.OperatorSetId.Domain, "").Int64(OnnxFields.OperatorSetId.Version, opsetVersion);
        return new ProtoWriter()
            .Int64(OnnxFields.Model.IrVersion, irVersion)
            .String(OnnxFields.Model.ProducerName, "ModelOperator.SampleModels")
            .String(OnnxFields.Model.ProducerVersion, "1")
            .Int64(OnnxFields.Model.ModelVersion, 1)
            .String(OnnxFields.Model.DocString, description)
            .Message(OnnxFields.Model.Graph, graph)
            .Message(OnnxFields.Model.OpsetImport, opset)
            .ToArray();
    }

    private string Add(OnnxInitializer initializer)
    {
        _initializers.Add(initializer);
        return initializer.Name;
    }

    private string Claim(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_names.Add(name)) throw new ArgumentException($"Graph '{graphName}' already has a value named '{name}'.", nameof(name));
        return name;
    }

    private static ProtoWriter ValueInfo(string name, OnnxElementType type, TensorDim[] shape)
    {
        var dims = new ProtoWriter();
        foreach (var dim in shape)
        {
            var proto = dim.Symbol is { } symbol
                ? new ProtoWriter().String(OnnxFields.Shape.DimParam, symbol)
                : new ProtoWriter().Int64(OnnxFields.Shape.DimValue, dim.Size!.Value);
            dims.Message(OnnxFields.Shape.Dim, proto);
        }
        var tensorType = new ProtoWriter().Int64(OnnxFields.Type.TensorElemType, (int)type).Message(OnnxFields.Type.TensorShape, dims);
        var typeProto = new ProtoWriter().Message(OnnxFields.Type.TensorType, tensorType);
        return new ProtoWriter().String(OnnxFields.ValueInfo.Name, name).Message(OnnxFields.ValueInfo.Type, typeProto);
    }
}
