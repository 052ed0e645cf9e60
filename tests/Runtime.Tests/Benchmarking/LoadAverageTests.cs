using System.Globalization;
using ModelOperator.Runtime.Benchmarking;
using Xunit;

namespace ModelOperator.Runtime.Tests.Benchmarking;

/// <summary>The load average <c>make bench</c> prints beside its figures.</summary>
public sealed class LoadAverageTests
{
    [Fact]
    public void Describe_GivesTheThreeLoadAverages_OrSaysTheyAreUnknown()
    {
        var text = LoadAverage.Describe();

        var fields = text.Split(' ');
        Assert.Equal("load", fields[0]);
        if (!File.Exists("/proc/loadavg"))
        {
            Assert.Equal("load n/a", text);
            return;
        }
        Assert.Equal(4, fields.Length);
        Assert.All(fields[1..], f => Assert.True(double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0, $"'{f}' in '{text}' is not a load average"));
    }
}
