using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Tests.Unit;

public sealed class JsonContainmentTests
{
    [Fact]
    public void ExtraFieldsInActual_AreIgnored() =>
        Assert.True(JsonContainment.IsContainedIn(new { a = 1, m = new { x = "y" } }, new { a = 1, b = 2, m = new { x = "y", z = "w" } }));

    [Fact]
    public void DifferentValue_IsNotContained() =>
        Assert.False(JsonContainment.IsContainedIn(new { a = 1 }, new { a = 2 }));

    [Fact]
    public void ScalarListsAreAtomic() =>
        Assert.False(JsonContainment.IsContainedIn(new { args = new[] { "a", "b" } }, new { args = new[] { "a", "b", "c" } }));

    [Fact]
    public void ObjectListsMayHoldEntriesOthersAdded() =>
        Assert.True(JsonContainment.IsContainedIn(new { refs = new[] { new { uid = "1" } } }, new { refs = new[] { new { uid = "0" }, new { uid = "1" } } }));

    [Fact]
    public void MissingActual_IsNotContained() => Assert.False(JsonContainment.IsContainedIn(new { a = 1 }, null));

    [Fact]
    public void NumbersCompareByValue() => Assert.True(JsonContainment.IsContainedIn(new { a = 1 }, new { a = 1.0 }));
}
