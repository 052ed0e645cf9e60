using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ModelOperator.Operator.Tests.Platform;

/// <summary>The shipped alerts pass promtool's check and unit tests; the dashboard and alerts use only metrics that exist.</summary>
public sealed partial class ObservabilityTests
{
    private static string Alerts => Path.Combine(RepoPaths.Root, "charts", "model-operator", "files", "alerts");
    private static string Dashboard => Path.Combine(RepoPaths.Root, "charts", "model-operator", "files", "dashboards", "model-operator.json");

    [Fact]
    public async Task Alerts_PassPromtoolCheckRules()
    {
        var (code, output) = await PromtoolAsync("check", "rules", "model-operator.rules.yaml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 5 rules found", output);
    }

    [Fact]
    public async Task Alerts_PassTheirPromtoolUnitTests()
    {
        var (code, output) = await PromtoolAsync("test", "rules", "model-operator.rules.test.yaml");

        Assert.True(code == 0, output);
    }

    [Fact]
    public void DashboardAndAlerts_QueryOnlyMetricsTheRuntimeAndOperatorExport()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Dashboard));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .Append(File.ReadAllText(Path.Combine(Alerts, "model-operator.rules.yaml")));
        var exported = File.ReadAllText(RepoPaths.Of("runtime", "Metrics", "RuntimeMetrics.cs")) + File.ReadAllText(RepoPaths.Of("operator", "Runtime", "OperatorMetrics.cs"))
            + File.ReadAllText(RepoPaths.Of("activator", "ActivatorMetrics.cs"));

        var used = queries.SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).Distinct().ToList();
        var unknown = used.Where(name => !exported.Contains($"\"{Suffix().Replace(name, "")}\"")).ToList();

        Assert.Contains("modelruntime_request_duration_seconds_bucket", used);
        Assert.Contains("modeloperator_events_total", used);
        Assert.Contains("modelactivator_held_requests", used);
        Assert.True(unknown.Count == 0, "queried but never exported: " + string.Join(", ", unknown));
    }

    private static async Task<(int Code, string Output)> PromtoolAsync(params string[] args)
    {
        var promtool = Environment.GetEnvironmentVariable("PROMTOOL") ?? "/usr/bin/promtool";
        if (!File.Exists(promtool)) throw new FileNotFoundException($"{promtool} is missing: install Debian's prometheus package (make deps does) or set PROMTOOL");
        var start = new ProcessStartInfo(promtool, args) { WorkingDirectory = Alerts, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"\b(modelruntime|modeloperator|modelactivator)_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex Suffix();
}
