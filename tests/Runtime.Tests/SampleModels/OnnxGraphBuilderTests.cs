using Microsoft.ML.OnnxRuntime.Tensors;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.SampleModels;

public sealed class OnnxGraphBuilderTests
{
    [Fact]
    public void ACustomGraph_LoadsAndRuns_WithItsDeclaredSignatureAndDescription()
    {
        var graph = new OnnxGraphBuilder("custom")
            .Input("words", OnnxElementType.String, TensorDim.Dynamic("n"))
            .Input("scale", OnnxElementType.Double, 2, TensorDim.Dynamic("m"))
            .Output("same_words", OnnxElementType.String, TensorDim.Dynamic("n"))
            .Output("scaled", OnnxElementType.Double, 2, TensorDim.Dynamic("m"));
        var factor = graph.Initializer("factor", new[] { 0.5 }, 1);
        graph.Node("Identity", ["words"], "same_words");
        graph.Node("Mul", ["scale", factor], "scaled");

        using var session = new OrtSession(graph.ToModelBytes("A custom graph."));
        using var results = session.Run(("words", OrtSession.Strings(["a", "b"], 2)), ("scale", OrtSession.Tensor(new[] { 2.0, 4, 6, 8 }, 2, 2)));

        OrtSession.AssertTensor(session.Inputs, "words", TensorElementType.String, -1);
        OrtSession.AssertTensor(session.Inputs, "scale", TensorElementType.Double, 2, -1);
        Assert.Equal(["n"], session.Inputs["words"].SymbolicDimensions);
        Assert.Equal("A custom graph.", session.Metadata.Description);
        Assert.Equal("custom", session.Metadata.GraphName);
        Assert.Equal("ModelOperator.SampleModels", session.Metadata.ProducerName);
        Assert.Equal(["a", "b"], results.Strings("same_words"));
        Assert.Equal([1.0, 2, 3, 4], results.Values<double>("scaled"));
    }

    [Fact]
    public void ANameUsedTwice_IsRejected_NamingIt()
    {
        var graph = new OnnxGraphBuilder("g").Input("x", OnnxElementType.Float, 1);

        var error = Assert.Throws<ArgumentException>(() => graph.Initializer("x", new[] { 1f }, 1));

        Assert.Contains("'x'", error.Message);
    }

    [Fact]
    public void ANodeReadingAnUnknownValue_IsRejected_NamingIt()
    {
        var graph = new OnnxGraphBuilder("g").Input("x", OnnxElementType.Float, 1);

        var error = Assert.Throws<ArgumentException>(() => graph.Node("Add", ["x", "nowhere"], "y"));

        Assert.Contains("'nowhere'", error.Message);
    }

    [Fact]
    public void AnOutputNothingProduces_IsRejected_NamingIt()
    {
        var graph = new OnnxGraphBuilder("g").Input("x", OnnxElementType.Float, 1).Output("y", OnnxElementType.Float, 1);

        var error = Assert.Throws<InvalidOperationException>(() => graph.ToModelBytes("broken"));

        Assert.Contains("'y'", error.Message);
    }

    [Fact]
    public void AnInitializerWhoseValuesDoNotFillItsShape_IsRejected()
    {
        var graph = new OnnxGraphBuilder("g");

        var error = Assert.Throws<ArgumentException>(() => graph.Initializer("w", new[] { 1f, 2f, 3f }, 2, 2));

        Assert.Contains("3 values", error.Message);
        Assert.Contains("[2,2]", error.Message);
    }

    [Fact]
    public void ANegativeFixedDimension_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorDim.Fixed(-1));
    }
}
