using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelOperator.Runtime.Inference;

namespace ModelOperator.Runtime.Benchmarking;

/// <summary>What <see cref="MirroringCost"/> measured: medians of served JSON per second, and the copies the mirroring server made.</summary>
internal sealed record MirroringCostResult(double Plain, double Off, double On, double Compared, double Dropped, IReadOnlyList<LoadResult> Last);

/// <summary>
/// The cost of shadow mirroring to a stable pod (issue 23), on the compute-bound model with JSON at batch 1: a server as
/// today (no management port), a server with the management port and no target ("mirroring off": must match it), and
/// the same server mirroring every request (fraction 1), interleaved round after round. The shadow is a stub in this
/// process that answers the stable's own answer at once, so the figure is the stable pod's cost (copy, send, read,
/// compare), not a second model's inference sharing the machine's cores.
/// </summary>
internal static class MirroringCost
{
    public static async Task<MirroringCostResult> MeasureAsync(ServingBenchmarkPlan plan, CancellationToken cancellationToken)
    {
        var name = Server.ServedModel.NameFromReference(plan.Model);
        LoadRequest json;
        using (var model = OnnxModel.Load(plan.Model, DeviceKind.Cpu, SessionTuning.OrtDefaults()))
        {
            var inputs = SyntheticInputs.Create(model, 1);
            json = InferRequestBodies.Json($"v2/models/{name}/infer", inputs);
            foreach (var t in inputs) t.Dispose();
        }
        string[] serve = ["--model", plan.Model, "--bench-iterations", "0", "--device", "cpu", .. plan.ServeArgs ?? []];
        await using var plain = await ServerProcess.StartAsync(serve, plan.LogFile, cancellationToken);
        var managementPort = ServerProcess.FreePort();
        await using var mirroring = await ServerProcess.StartAsync([.. serve, "--management-port", managementPort.ToString()], plan.LogFile, cancellationToken);
        using var http = new HttpClient();
        var answer = await (await http.PostAsync(new Uri(plain.BaseAddress, json.Path), new ByteArrayContent(json.Body), cancellationToken)).Content.ReadAsByteArrayAsync(cancellationToken);
        await using var shadow = await StubAsync(answer, cancellationToken);
        var management = new Uri($"http://127.0.0.1:{managementPort}/v2/_shadow");

        var plainLoad = new HttpLoadGenerator(plain.BaseAddress);
        var mirroringLoad = new HttpLoadGenerator(mirroring.BaseAddress);
        List<LoadResult> plains = [], offs = [], ons = [];
        for (var round = 0; round < plan.Rounds; round++)
        {
            plains.Add(await plainLoad.RunAsync(json, plan.Clients, plan.Warmup, plan.Duration, cancellationToken));
            (await http.DeleteAsync(management, cancellationToken)).EnsureSuccessStatusCode();
            offs.Add(await mirroringLoad.RunAsync(json, plan.Clients, plan.Warmup, plan.Duration, cancellationToken));
            (await http.PutAsJsonAsync(management, new { url = shadow.Url, fraction = 1.0 }, cancellationToken)).EnsureSuccessStatusCode();
            ons.Add(await mirroringLoad.RunAsync(json, plan.Clients, plan.Warmup, plan.Duration, cancellationToken));
        }
        (await http.DeleteAsync(management, cancellationToken)).EnsureSuccessStatusCode();
        var metrics = await http.GetStringAsync(new Uri(mirroring.BaseAddress, "metrics"), cancellationToken);
        return new MirroringCostResult(Median(plains), Median(offs), Median(ons),
            Sum(metrics, "modelruntime_shadow_compared_total"), Sum(metrics, "modelruntime_shadow_dropped_total"), [plains[^1], offs[^1], ons[^1]]);
    }

    public static void Report(MirroringCostResult r, ServingBenchmarkPlan plan, TextWriter output)
    {
        output.WriteLine($"Shadow mirroring cost (issue 23): {Path.GetFileName(plan.Model)}, served JSON at batch 1, {plan.Clients} clients; the shadow is an in-process stub");
        output.WriteLine($"  as today (no management port)    {r.Plain,10:F0} /s");
        output.WriteLine($"  mirroring off (port, no target)  {r.Off,10:F0} /s   {r.Off / r.Plain:F2} of today (target: no regression)");
        output.WriteLine($"  mirroring every request          {r.On,10:F0} /s   {r.On / r.Plain:F2} of today; {r.Compared:F0} copies compared, {r.Dropped:F0} dropped (queue full)");
    }

    private static double Median(List<LoadResult> results) => results.Select(x => x.RequestsPerSecond).Order().ElementAt(results.Count / 2);

    private static double Sum(string exposition, string name) => exposition.Split('\n')
        .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    private sealed class Stub(WebApplication app, string url) : IAsyncDisposable
    {
        public string Url { get; } = url;
        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }

    // A shadow that answers every copy with the stable's own answer at once.
    private static async Task<Stub> StubAsync(byte[] answer, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/v2/models/{name}/infer", async (HttpContext c) =>
        {
            await c.Request.Body.CopyToAsync(Stream.Null);
            c.Response.ContentType = "application/json";
            await c.Response.Body.WriteAsync(answer);
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Stub(app, address);
    }
}
