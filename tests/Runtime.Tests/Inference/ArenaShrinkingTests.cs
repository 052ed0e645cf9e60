using System.Runtime.InteropServices;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Tests.Infrastructure;
using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.Inference;

/// <summary>A run with large inputs uses the arena-shrinking run options and still gives the model's answer.</summary>
public sealed class ArenaShrinkingTests
{
    [Fact]
    public void LargeInput_RunsWithArenaShrinking_AndComesBackUnchanged()
    {
        using var model = OnnxModel.Load(ModelFiles.Identity(OnnxElementType.Float), DeviceKind.Cpu, SessionTuning.ForServing());
        var width = (int)(ArenaShrinking.LargeInputBytes / 4) + 1;
        using var input = TensorData.Rent(SampleModelCatalog.IdentityInputName(OnnxElementType.Float), Datatype.Fp32, [1, width]);
        var values = MemoryMarshal.Cast<byte, float>(input.Bytes);
        for (var i = 0; i < values.Length; i++) values[i] = i % 1000;

        Assert.True(ArenaShrinking.Applies([input]));
        var outputs = model.Run([input], [SampleModelCatalog.IdentityOutputName(OnnxElementType.Float)]);
        try
        {
            Assert.Equal(input.Bytes.ToArray(), outputs[0].Bytes.ToArray());
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
        }
    }
}
