using ModelOperator.Operator.Runtime;

namespace ModelOperator.Operator.Tests.Unit;

public sealed class ResourceVersionsTests
{
    [Theory]
    [InlineData("12", "11", true)]
    [InlineData("11", "12", false)]
    [InlineData("12", "12", false)]
    [InlineData("100", "99", true)]   // numeric, not lexical
    [InlineData("abc", "1", false)]   // opaque versions: nothing is known to be newer
    [InlineData("2", "xyz", false)]
    [InlineData(null, "1", false)]
    [InlineData("1", null, false)]
    public void IsNewer_OnlyWhenBothAreIntegersAndTheFirstIsLater(string? candidate, string? than, bool expected) =>
        Assert.Equal(expected, ResourceVersions.IsNewer(candidate, than));
}
