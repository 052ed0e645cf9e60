using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Tests.Infrastructure;
using Xunit;

namespace ModelOperator.Runtime.Tests.Inference;

/// <summary>Execution provider choice. Written for any machine: where CUDA loads, auto picks it; where it does not, the fallback says why.</summary>
public sealed class ExecutionProviderTests
{
    [Fact]
    public void DeviceAuto_RunsOnCudaOrFallsBackToCpu_WithTheReason()
    {
        using var model = OnnxModel.Load(ModelFiles.Mlp, DeviceKind.Auto, SessionTuning.ForServing());

        if (model.Provider.Provider == "CUDA") Assert.Equal("CUDA available", model.Provider.Reason);
        else
        {
            Assert.Equal("CPU", model.Provider.Provider);
            Assert.StartsWith("CUDA unavailable, fell back to CPU: ", model.Provider.Reason);
            Assert.True(model.Provider.Reason.Length > "CUDA unavailable, fell back to CPU: ".Length, "the fallback reason is empty");
        }
    }

    [Fact]
    public void DeviceCuda_WhereCudaCannotLoad_FailsWithAClearError()
    {
        OnnxModel? model = null;
        try
        {
            model = OnnxModel.Load(ModelFiles.Mlp, DeviceKind.Cuda, SessionTuning.ForServing());
            Assert.Equal("CUDA", model.Provider.Provider);
        }
        catch (ModelLoadException e)
        {
            Assert.StartsWith("--device cuda: the CUDA execution provider could not be used: ", e.Message);
        }
        finally { model?.Dispose(); }
    }

    [Fact]
    public void DeviceCpu_RunsOnCpu()
    {
        using var model = OnnxModel.Load(ModelFiles.Mlp, DeviceKind.Cpu, SessionTuning.ForServing());

        Assert.Equal("CPU", model.Provider.Provider);
        Assert.Equal("requested --device cpu", model.Provider.Reason);
    }

    [Fact]
    public void NotAnOnnxFile_FailsToLoad_NamingTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-a-model-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(path, "this is not a model");
        try
        {
            var error = Assert.Throws<ModelLoadException>(() => OnnxModel.Load(path, DeviceKind.Cpu, SessionTuning.ForServing()));
            Assert.Contains(path, error.Message);
        }
        finally { File.Delete(path); }
    }
}
