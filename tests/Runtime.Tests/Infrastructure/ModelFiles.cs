using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;

namespace ModelOperator.Runtime.Tests.Infrastructure;

/// <summary>The sample models written once per test run into a temporary folder, so tests load them as a user would: from a path.</summary>
internal static class ModelFiles
{
    private static readonly Lazy<string> Directory = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "modelruntime-tests-" + Environment.ProcessId);
        SampleModelCatalog.WriteAll(dir);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { System.IO.Directory.Delete(dir, true); } catch (IOException) { } };
        return dir;
    });

    public static string MnistCnn => Get("mnist-cnn");
    public static string MnistCnnV2 => Get("mnist-cnn-v2");
    public static string Mlp => Get("mlp");
    public static string Int64 => Get("int64-ops");
    public static string MultiIo => Get("multi-io");
    public static string AllDatatypes => Get("all-datatypes");
    public static string StaticBatch => Get("static-batch");

    public static string Identity(OnnxElementType type)
    {
        var path = Path.Combine(Directory.Value, $"identity-{(int)type}.onnx");
        lock (Directory)
            if (!File.Exists(path)) File.WriteAllBytes(path, SampleModelCatalog.Identity(type));
        return path;
    }

    private static string Get(string name) => Path.Combine(Directory.Value, SampleModelCatalog.Get(name).FileName);
}
