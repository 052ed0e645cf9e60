using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.Runtime.Metrics;
using ModelOperator.Runtime.Shadow;
using Prometheus;
using Xunit;

namespace ModelOperator.Runtime.Tests.Shadow;

/// <summary>The mirror's bounds, with a stand-in shadow: a full queue drops and counts, a slow shadow times out, the copy carries the id.</summary>
public sealed class ShadowMirrorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly ShadowTarget Target = new(new Uri("http://shadow.test:8080"), 1, TimeSpan.FromSeconds(5));
    private static readonly AnswerTensor StableAnswer = new("scores", "FP32", [1, 2], [0.1, 0.9]);

    private static MirrorCopy Copy(string id, ShadowTarget? target = null) =>
        new("m", "/v2/models/m/infer", id, "{}"u8.ToArray(), "application/json", null, [StableAnswer], target ?? Target);

    private static (ShadowMirror Mirror, CollectorRegistry Registry) Mirror(HttpMessageHandler handler, int capacity = 4, int concurrency = 1, Func<double>? random = null)
    {
        var metrics = new RuntimeMetrics();
        return (new ShadowMirror(new ShadowMetrics(metrics.Registry), NullLogger.Instance, handler, capacity, concurrency, random), metrics.Registry);
    }

    private static double Value(CollectorRegistry registry, string series)
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        var line = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {Bound.TotalSeconds}s waiting for {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public void WithoutTarget_OrAtFractionZero_NothingIsSampled()
    {
        var (mirror, _) = Mirror(new Answering());
        Assert.Null(mirror.Sample());
        mirror.SetTarget(Target with { Fraction = 0 });
        Assert.Null(mirror.Sample());
    }

    [Theory]
    [InlineData(0.29, true)]
    [InlineData(0.3, false)]
    public void Fraction_SamplesThatShareOfRequests(double draw, bool sampled)
    {
        var (mirror, _) = Mirror(new Answering(), random: () => draw);
        mirror.SetTarget(Target with { Fraction = 0.3 });
        Assert.Equal(sampled, mirror.Sample() is not null);
    }

    [Fact]
    public async Task FullQueue_DropsTheCopy_AndCountsIt_WithoutWaiting()
    {
        var shadow = new Held();
        var (mirror, registry) = Mirror(shadow, capacity: 1, concurrency: 1);
        await using var _ = mirror;
        mirror.Offer(Copy("r1"));
        await shadow.Entered.Task.WaitAsync(Bound); // the only worker holds r1 at the shadow
        mirror.Offer(Copy("r2"));                   // waits in the queue of one
        mirror.Offer(Copy("r3"));                   // dropped
        mirror.Offer(Copy("r4"));                   // dropped
        Assert.Equal(2, Value(registry, "modelruntime_shadow_dropped_total{model=\"m\"}"));
        shadow.Release.SetResult();
        await EventuallyAsync(() => Value(registry, "modelruntime_shadow_compared_total{model=\"m\",output=\"scores\"}") == 2, "r1 and r2 to be compared");
    }

    [Fact]
    public async Task ShadowSlowerThanTheTimeout_IsAFailure_ByReason()
    {
        var (mirror, registry) = Mirror(new Held());
        await using var _ = mirror;
        mirror.Offer(Copy("r1", Target with { Timeout = TimeSpan.FromMilliseconds(200) }));
        await EventuallyAsync(() => Value(registry, "modelruntime_shadow_failures_total{model=\"m\",reason=\"timeout\"}") == 1, "a timeout to be counted");
        Assert.Equal(0, Value(registry, "modelruntime_shadow_compared_total{model=\"m\",output=\"scores\"}"));
    }

    [Fact]
    public async Task Copy_GoesToTheTargetsService_WithTheOriginalRequestIdAndBody()
    {
        var shadow = new Answering();
        var (mirror, registry) = Mirror(shadow);
        await using var _ = mirror;
        mirror.Offer(Copy("req-42"));
        await EventuallyAsync(() => Value(registry, "modelruntime_shadow_agreeing_total{model=\"m\",output=\"scores\"}") == 1, "the copy to be compared");
        var seen = Assert.Single(shadow.Requests);
        Assert.Equal("http://shadow.test:8080/v2/models/m/infer", seen.Uri);
        Assert.Equal("req-42", seen.RequestId);
        Assert.Equal("{}", seen.Body);
    }

    [Fact]
    public async Task DisagreeingAnswer_IsCounted_AndKeptAsAnExample()
    {
        var (mirror, registry) = Mirror(new Answering("""{"outputs":[{"name":"scores","datatype":"FP32","shape":[1,2],"data":[0.8,0.2]}]}"""));
        await using var _ = mirror;
        mirror.Offer(Copy("req-7"));
        await EventuallyAsync(() => Value(registry, "modelruntime_shadow_compared_total{model=\"m\",output=\"scores\"}") == 1, "the copy to be compared");
        Assert.Equal(0, Value(registry, "modelruntime_shadow_agreeing_total{model=\"m\",output=\"scores\"}"));
        Assert.Equal(new ShadowExample("req-7", "scores", "row 0: stable top-1 1, shadow top-1 0"), Assert.Single(mirror.Examples()));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "status")]
    [InlineData(HttpStatusCode.OK, "unreadable")]
    public async Task UnusableShadowAnswer_IsAFailure_ByReason(HttpStatusCode status, string reason)
    {
        var (mirror, registry) = Mirror(new Answering("not an answer", status));
        await using var _ = mirror;
        mirror.Offer(Copy("r1"));
        await EventuallyAsync(() => Value(registry, $"modelruntime_shadow_failures_total{{model=\"m\",reason=\"{reason}\"}}") == 1, $"a '{reason}' failure to be counted");
    }

    /// <summary>A shadow that answers at once, by default the stable's own answer.</summary>
    private sealed class Answering(string answer = """{"outputs":[{"name":"scores","datatype":"FP32","shape":[1,2],"data":[0.1,0.9]}]}""",
        HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
    {
        public List<(string Uri, string? RequestId, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var id = request.Headers.TryGetValues(ShadowMirror.RequestIdHeader, out var v) ? v.Single() : null;
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            lock (Requests) Requests.Add((request.RequestUri!.ToString(), id, body));
            return new HttpResponseMessage(status) { Content = new StringContent(answer) };
        }
    }

    /// <summary>A shadow that holds every request until released (or its caller gives up).</summary>
    private sealed class Held : HttpMessageHandler
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"outputs":[{"name":"scores","datatype":"FP32","shape":[1,2],"data":[0.1,0.9]}]}"""),
            };
        }
    }
}
