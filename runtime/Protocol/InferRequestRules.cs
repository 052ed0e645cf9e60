using System.Diagnostics.CodeAnalysis;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Protocol;

/// <summary>
/// The rules every infer request obeys, whichever protocol brought it (REST JSON, Triton's binary extension, gRPC):
/// each reader decodes its own encoding and asks these for everything else, so that a rule added here applies to all of
/// them. Shape arithmetic and the element limits are in <see cref="InferInputRules"/>. Every failure is a 400 naming
/// what is wrong.
/// </summary>
internal static class InferRequestRules
{
    /// <summary>
    /// Output parameters this runtime does not implement, and input or request parameters that would change the
    /// meaning of a request if silently ignored: each is refused by name.
    /// </summary>
    private static readonly string[] UnimplementedParameters =
        ["classification", "shared_memory_region", "shared_memory_byte_size", "shared_memory_offset", "sequence_id", "sequence_start", "sequence_end"];

    /// <summary>Checks one parameter by name.</summary>
    /// <param name="owner">Whose parameter it is, for errors: <c>the request</c>, <c>input 'x'</c>, <c>output 'y'</c>.</param>
    /// <param name="outputOnly">An output's parameter: only <c>binary_data</c> is implemented, so any other is refused.</param>
    public static void CheckParameter(string owner, string parameter, bool outputOnly)
    {
        if (outputOnly && parameter != "binary_data")
            throw Bad($"{owner}: parameter '{ClientText.Cut(parameter)}' is not supported; an output takes only 'binary_data'");
        if (UnimplementedParameters.Contains(parameter))
            throw Bad($"{owner}: parameter '{parameter}' is not supported by this runtime");
    }

    /// <summary>
    /// Checks an input's name, datatype and shape against the model, as every protocol (REST and gRPC) must;
    /// returns the datatype. The message names the input and what is wrong.
    /// </summary>
    public static Datatype CheckInputHeader([NotNull] string? name, string? datatypeName, [NotNull] long[]? shape, OnnxModel model)
    {
        if (string.IsNullOrEmpty(name)) throw Bad("an input has no 'name'");
        var spec = model.FindInput(name)
            ?? throw Bad($"unknown input '{ClientText.Cut(name)}'; the model's inputs are: {string.Join(", ", model.Inputs.Select(i => i.Name))}");
        if (string.IsNullOrEmpty(datatypeName)) throw Bad($"input '{name}' has no 'datatype'");
        if (!Datatype.TryParse(datatypeName, out var datatype)) throw Bad($"input '{name}': unknown datatype '{ClientText.Cut(datatypeName)}'");
        if (datatype != spec.Datatype) throw Bad($"input '{name}' has datatype {datatype}, but the model expects {spec.Datatype}");
        if (shape is null) throw Bad($"input '{name}' has no 'shape'");
        if (!spec.Accepts(shape))
            throw Bad($"input '{name}' has shape {TensorSpec.Format(shape)}, which does not fit the model's shape {TensorSpec.Format(spec.Shape)}");
        return datatype;
    }

    public static void CheckAllInputsPresent(List<TensorData> inputs, OnnxModel model)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
            if (!seen.Add(input.Name)) throw Bad($"input '{input.Name}' is given twice");
        var missing = model.Inputs.Where(i => !seen.Contains(i.Name)).Select(i => i.Name).ToList();
        if (missing.Count > 0) throw Bad($"missing input(s): {string.Join(", ", missing)}");
    }

    public static IReadOnlyList<RequestedOutput> ResolveOutputs(List<RequestedOutput>? requested, bool binaryByDefault, OnnxModel model)
    {
        if (requested is null || requested.Count == 0)
            return model.Outputs.Select(o => new RequestedOutput(o.Name, binaryByDefault)).ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in requested)
        {
            if (model.FindOutput(output.Name) is null)
                throw Bad($"unknown output '{ClientText.Cut(output.Name)}'; the model's outputs are: {string.Join(", ", model.OutputNames)}");
            if (!seen.Add(output.Name)) throw Bad($"output '{output.Name}' is requested twice");
        }
        return binaryByDefault ? requested.Select(o => o with { Binary = true }).ToArray() : requested;
    }

    private static ProtocolException Bad(string message) => ProtocolException.BadRequest(message);
}
