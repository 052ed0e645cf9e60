using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>What <c>kubectl exec</c> runs for a container, and CPU use as a rate for <c>kubectl top</c>.</summary>
public sealed class ExecAndUsageDecisionTests
{
    private static readonly Dictionary<string, string> Env = new() { ["PATH"] = "/usr/bin:/bin", ["POD_IP"] = "127.10.0.1" };

    [Fact]
    public void Exec_InAContainer_IsPodmanExecInItsContainer_InteractiveOnlyWithStdin()
    {
        var container = new LaunchPlan("podman", ["run", "--name", "k8s_main_p"], Env, "/pods/p", ["podman", "exec", "k8s_main_p"]);

        var plain = ExecCommand.Compose(container, ["id", "-u"], stdin: false);
        var withStdin = ExecCommand.Compose(container, ["cat"], stdin: true);

        Assert.Equal("podman", plain.Program);
        Assert.Equal(["exec", "k8s_main_p", "id", "-u"], plain.Arguments);
        Assert.Equal(["exec", "--interactive", "k8s_main_p", "cat"], withStdin.Arguments);
    }

    [Fact]
    public void Exec_ForAProcess_RunsTheCommandWithTheContainersEnvironmentAndFolder()
    {
        var process = new LaunchPlan("/opt/model-runtime", ["serve"], Env, "/pods/p");

        var exec = ExecCommand.Compose(process, ["sh", "-c", "echo $POD_IP"], stdin: true);

        Assert.Equal("sh", exec.Program);
        Assert.Equal(["-c", "echo $POD_IP"], exec.Arguments);
        Assert.Same(Env, exec.Environment);
        Assert.Equal("/pods/p", exec.WorkingDirectory);
    }

    [Theory]
    [InlineData(0, 0, 4000, 2000, 500_000_000)] // 2 s of CPU in 4 s: half a core
    [InlineData(1000, 0, 1000, 0, 0)]          // none used
    [InlineData(0, 0, 1000, 3000, 3_000_000_000)] // three cores busy
    public void CpuRate_IsCpuTimeOverWallTime_InNanocores(int fromMs, long fromCpuMs, int toMs, long toCpuMs, long nanoCores)
    {
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        var (rate, _) = CpuRate.Between((fromCpuMs * 1_000_000, start.AddMilliseconds(fromMs)), (toCpuMs * 1_000_000, start.AddMilliseconds(toMs)));

        Assert.Equal(nanoCores, rate);
    }

    [Fact]
    public void CpuRate_FirstSampleCountsFromTheStart_AndAQuickSecondOneKeepsTheEarlierSample()
    {
        var started = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var rates = new CpuRate();

        var first = rates.Sample("c", 1_000_000_000, started.AddSeconds(10), started);          // 1 s of CPU in 10 s
        var quick = rates.Sample("c", 1_100_000_000, started.AddTicks(102_000_000), started);        // 0.1 s more in 0.2 s
        var later = rates.Sample("c", 3_000_000_000, started.AddSeconds(14), started);          // 2 s more in 4 s since the kept sample

        Assert.Equal((100_000_000L, TimeSpan.FromSeconds(10)), first);
        Assert.Equal(500_000_000L, quick.NanoCores);
        Assert.Equal((500_000_000L, TimeSpan.FromSeconds(4)), later);
    }
}
