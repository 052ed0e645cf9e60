using ModelOperator.Cli;
using Xunit;

namespace ModelOperator.Runtime.Tests.Cli;

/// <summary>The "did you mean" of a usage error: a near miss names the option meant, anything else names none.</summary>
public sealed class ClosestNameTests
{
    private static readonly string[] Known = ["--port", "--grpc-port", "--max-batch", "--model", "--name", "--node", "serve", "bench", "bench-serving", "push", "pull"];

    [Theory]
    [InlineData("--prot", "--port")]          // two letters swapped
    [InlineData("--max-batchsize", "--max-batch")] // something appended
    [InlineData("--max-bat", "--max-batch")]  // cut short
    [InlineData("--modle", "--model")]
    [InlineData("--grpcport", "--grpc-port")] // a dash left out
    [InlineData("serv", "serve")]
    [InlineData("--x", null)]                 // too short to guess
    [InlineData("--device", null)]            // nothing like it
    [InlineData("bogus", null)]
    public void NearMiss_NamesTheOptionMeant_ElseNone(string typed, string? expected) =>
        Assert.Equal(expected, ClosestName.Of(typed, Known));

    [Theory]
    [InlineData("port", "port", 0)]
    [InlineData("prot", "port", 1)]
    [InlineData("port", "ports", 1)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_CountsInsertsDeletesSubstitutionsAndSwaps(string a, string b, int expected) =>
        Assert.Equal(expected, ClosestName.Distance(a, b));
}
