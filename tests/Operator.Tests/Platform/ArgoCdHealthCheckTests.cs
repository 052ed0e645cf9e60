using System.Diagnostics;
using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ModelOperator.Operator.Tests.Platform;

/// <summary>
/// The Argo CD health check (charts/argocd/modeldeployment-health.lua) run by a real Lua 5.4, as Argo CD runs it:
/// the fixture object bound to <c>obj</c>, the script's returned table read back.
/// </summary>
public sealed class ArgoCdHealthCheckTests
{
    private static string Dir => Path.Combine(RepoPaths.Root, "charts", "argocd");

    [Theory]
    [InlineData("healthy.yaml", "Healthy", "2/2 replicas ready at revision c1cf6d91e1")]
    [InlineData("progressing.yaml", "Progressing", "Canary 48aa4dbc73 at step 1/2 (weight 20%): 0/1 ready, admitted share 0%, failed checks 0")]
    [InlineData("not-observed.yaml", "Progressing", "Waiting for the operator to observe generation 5")]
    [InlineData("degraded.yaml", "Degraded", "Revision c1cf6d91e1: pod resnet-abc-1 container runtime: ImagePullBackOff: Back-off pulling image \"ghcr.io/modeloperator/model-runtime:nope\"")]
    [InlineData("rolled-back.yaml", "Degraded", "Revision 48aa4dbc73 was rolled back to e8f32d6fef: BenchmarkGateFailed: Benchmark gate failed on node gpu-1: p95 80ms at batch 1 exceeds maxP95Ms 50; change the spec to try again")]
    [InlineData("scaled-to-zero.yaml", "Healthy", "Revision c1cf6d91e1 runs no pods: spec.replicas.count is 0")]
    public async Task HealthCheck_ReadsTheStatusAsArgoCdShows(string fixture, string status, string message)
    {
        var (actualStatus, actualMessage) = await RunAsync(await File.ReadAllTextAsync(Path.Combine(Dir, "fixtures", fixture)));

        Assert.Equal((status, message), (actualStatus, actualMessage));
    }

    [Fact]
    public async Task HealthCheck_OfAnObjectWithoutStatus_IsProgressing()
    {
        var (status, _) = await RunAsync("metadata: {name: fresh, generation: 1}");

        Assert.Equal("Progressing", status);
    }

    internal static async Task<(string Status, string Message)> RunAsync(string fixtureYaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(fixtureYaml));
        var script = new StringBuilder("obj = ").Append(Lua(stream.Documents[0].RootNode)).Append('\n')
            .Append("local hs = (function()\n").Append(await File.ReadAllTextAsync(Path.Combine(Dir, "modeldeployment-health.lua")))
            .Append("\nend)()\nio.write(hs.status, \"\\n\", hs.message)\n");
        var lua = Environment.GetEnvironmentVariable("LUA") ?? "/usr/bin/lua5.4";
        if (!File.Exists(lua)) throw new FileNotFoundException($"{lua} is missing: install Debian's lua5.4 (make deps does) or set LUA");
        var start = new ProcessStartInfo(lua, ["-"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script.ToString());
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"lua failed: {await stderr}");
        var lines = (await stdout).Split('\n', 2);
        return (lines[0], lines.Length > 1 ? lines[1] : "");
    }

    // The fixture as a Lua table constructor, the shape Argo CD hands the script (numbers stay numbers).
    private static string Lua(YamlNode node) => node switch
    {
        YamlMappingNode map => "{" + string.Join(", ", map.Children.Select(kv => $"[{Quote(((YamlScalarNode)kv.Key).Value!)}] = {Lua(kv.Value)}")) + "}",
        YamlSequenceNode seq => "{" + string.Join(", ", seq.Children.Select(Lua)) + "}",
        YamlScalarNode { Style: ScalarStyle.Plain } s when long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n.ToString(CultureInfo.InvariantCulture),
        YamlScalarNode s => Quote(s.Value ?? ""),
        _ => "nil",
    };

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
