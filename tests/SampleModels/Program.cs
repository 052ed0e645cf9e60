using ModelOperator.SampleModels;

if (args.Length != 1 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("Usage: sample-models <output-directory>");
    Console.Error.WriteLine("Writes every sample ONNX model as <name>.onnx:");
    foreach (var model in SampleModelCatalog.All) Console.Error.WriteLine($"  {model.Name,-14} {model.Description}");
    return args.Length == 1 ? 0 : 2;
}

try
{
    foreach (var path in SampleModelCatalog.WriteAll(args[0]))
        Console.WriteLine($"Wrote {path} ({new FileInfo(path).Length:N0} bytes)");
    return 0;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"sample-models: cannot write to '{args[0]}': {e.Message}");
    return 1;
}
