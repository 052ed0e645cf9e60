using System.Globalization;
using System.Text.RegularExpressions;
using ModelOperator.Operator.Admission;
using ModelOperator.Operator.Reconcile;
using ModelOperator.TestSupport;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// The pieces of shadow rollouts (issue 23) that exist, on the dev cluster with real runtime pods: the operator's
/// client sets a target on a pod's management port, the pod mirrors user traffic to it and counts the comparisons, and
/// the model's Service reaches neither the port nor the endpoint. The shadow phase itself: ShadowRolloutEndToEndTests.
/// </summary>
[Trait("Category", "DevCluster")]
public sealed partial class ShadowEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task APodsManagementPort_TakesAShadowTarget_ThatTheServiceCannotReach_AndTheCopiesAreCompared()
    {
        await using var cluster = await DevClusterWithOperator.StartAsync(output);
        await cluster.CreateAsync(DevClusterWithOperator.Model("cnn-shadow", "mnist-cnn"));
        var stable = await cluster.StableAsync("cnn-shadow");
        var ip = cluster.Pods("cnn-shadow", stable).Single(DevClusterWithOperator.IsReady).Status.PodIP;
        var service = await cluster.ServingUrlAsync("cnn-shadow");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // Users reach only 8080 and 8081: /v2/_shadow is not served there, and the Service has no port 8082.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(new Uri(service, "v2/_shadow"))).StatusCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://{service.Host}:{WellKnown.RuntimeManagementPort}/v2/_shadow"));

        var client = new ShadowTargetClient(http, timeout: TimeSpan.FromSeconds(10));
        var none = await client.GetAsync(ip, CancellationToken.None);
        Assert.Equal((null, null), (none.Error, none.Target));

        // The pod mirrors to itself: the same model, so every compared answer agrees.
        var target = new ShadowTargetRequest($"http://{ip}:{WellKnown.RuntimePort}", null, 1, 2);
        var set = await client.SetAsync(ip, target, CancellationToken.None);
        Assert.Null(set.Error);
        Assert.Equal(target, set.Target);

        await using (var load = new ServiceLoad(new Uri(service, "v2/models/cnn-shadow/infer")))
        {
            await Eventually.TrueAsync(async () => (await ShadowCountsAsync(http, ip)).Compared >= 20, "20 mirrored requests compared", TimeSpan.FromMinutes(1));
            var counts = await ShadowCountsAsync(http, ip);
            Assert.Equal(counts.Compared, counts.Agreeing);
            Assert.True(load.Ok > 0 && load.Failed == 0, $"{load.Failed} of {load.Ok + load.Failed} requests failed: {string.Join(" | ", load.Failures)}");
        }

        var cleared = await client.ClearAsync(ip, CancellationToken.None);
        Assert.Equal((null, null), (cleared.Error, cleared.Target));
    }

    private static async Task<(double Compared, double Agreeing)> ShadowCountsAsync(HttpClient http, string ip)
    {
        var text = await http.GetStringAsync($"http://{ip}:{WellKnown.RuntimePort}/metrics");
        return (Sum(Compared().Matches(text)), Sum(Agreeing().Matches(text)));
    }

    private static double Sum(MatchCollection matches) => matches.Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^modelruntime_shadow_compared_total\{[^}]*\} ([0-9.e+]+)$", RegexOptions.Multiline)]
    private static partial Regex Compared();

    [GeneratedRegex(@"^modelruntime_shadow_agreeing_total\{[^}]*\} ([0-9.e+]+)$", RegexOptions.Multiline)]
    private static partial Regex Agreeing();
}
