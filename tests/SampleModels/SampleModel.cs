namespace ModelOperator.SampleModels;

/// <summary>One entry of the sample model catalog.</summary>
/// <param name="Name">The model's name, also its file name without <c>.onnx</c> (lowercase, digits and hyphens).</param>
/// <param name="Description">One line saying what the model computes and its inputs and outputs.</param>
/// <param name="Build">Builds the model's ONNX bytes; the same bytes every time.</param>
public sealed record SampleModel(string Name, string Description, Func<byte[]> Build)
{
    /// <summary>The file name <see cref="SampleModelCatalog.WriteAll"/> writes this model to.</summary>
    public string FileName => Name + ".onnx";
}
