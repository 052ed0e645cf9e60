using ModelOperator.SampleModels;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class SampleModelCatalogTests
{
    public static TheoryData<string> Names() => new(SampleModelCatalog.All.Select(m => m.Name));

    [Fact]
    public void Catalog_ListsEveryModel_WithUniqueUrlSafeNames_AndDescriptions()
    {
        Assert.Equal(["mnist-cnn", "mnist-cnn-v2", "mnist-cnn-slow", "mnist-cnn-wrong", "mnist-cnn-v2-wrong", "mlp", "deep-mlp", "int64-ops", "multi-io", "all-datatypes", "static-batch", "wide-mlp", "text-line-cnn", "recogniser-opset7", "recogniser-opset9", "recogniser-opset11", "recogniser-opset13"], SampleModelCatalog.All.Select(m => m.Name));
        Assert.All(SampleModelCatalog.All, m =>
        {
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", m.Name);
            Assert.False(string.IsNullOrWhiteSpace(m.Description));
            Assert.Equal(m.Name + ".onnx", m.FileName);
        });
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryModel_IsByteForByteTheSame_WhenBuiltTwice(string name)
    {
        var model = SampleModelCatalog.Get(name);

        Assert.Equal(model.Build(), model.Build());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryModel_LoadsInOnnxRuntime_WithItsDescription_AndDynamicBatchUnlessStatic(string name)
    {
        var model = SampleModelCatalog.Get(name);

        using var session = new OrtSession(model.Build());

        Assert.Equal(model.Description, session.Metadata.Description);
        Assert.Equal(1, session.Metadata.Version);
        var expectedBatchDim = name == "static-batch" ? 1 : -1;
        Assert.All(session.Inputs.Values.Concat(session.Outputs.Values), m => Assert.Equal(expectedBatchDim, m.Dimensions[0]));
    }

    [Fact]
    public void ModelMethods_ReturnTheCatalogBytes_AsCopiesACallerCannotSpoil()
    {
        var first = SampleModelCatalog.Mlp();
        first[^1] ^= 0xFF;

        Assert.Equal(SampleModelCatalog.Get("mlp").Build(), SampleModelCatalog.Mlp());
        Assert.Equal(SampleModelCatalog.Get("mnist-cnn").Build(), SampleModelCatalog.MnistCnn());
        Assert.Equal(SampleModelCatalog.Get("deep-mlp").Build(), SampleModelCatalog.DeepMlp());
        Assert.Equal(SampleModelCatalog.Get("int64-ops").Build(), SampleModelCatalog.Int64Model());
        Assert.Equal(SampleModelCatalog.Get("multi-io").Build(), SampleModelCatalog.MultiIo());
        Assert.Equal(SampleModelCatalog.Get("all-datatypes").Build(), SampleModelCatalog.AllDatatypes());
        Assert.Equal(SampleModelCatalog.Get("static-batch").Build(), SampleModelCatalog.StaticBatch());
    }

    [Fact]
    public void IdentityModels_AreDeterministicToo()
    {
        Assert.All(SampleModelCatalog.IdentityDatatypes, t => Assert.Equal(SampleModelCatalog.Identity(t.Type), SampleModelCatalog.Identity(t.Type)));
    }

    [Fact]
    public void WriteAll_WritesEachModelAsNameDotOnnx()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sample-models-" + Guid.NewGuid().ToString("N"), "nested");
        try
        {
            var written = SampleModelCatalog.WriteAll(directory);

            Assert.Equal(SampleModelCatalog.All.Select(m => Path.Combine(directory, m.FileName)), written);
            Assert.All(SampleModelCatalog.All, m => Assert.Equal(m.Build(), File.ReadAllBytes(Path.Combine(directory, m.FileName))));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }
    }

    [Fact]
    public void Get_UnknownName_SaysWhichNamesExist()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => SampleModelCatalog.Get("resnet"));

        Assert.Contains("'resnet'", error.Message);
        Assert.Contains("mnist-cnn", error.Message);
    }

    [Fact]
    public void Identity_OfATypeTheProtocolDoesNotMap_IsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SampleModelCatalog.Identity((OnnxElementType)16));

        Assert.Contains("Open Inference Protocol", error.Message);
    }
}
