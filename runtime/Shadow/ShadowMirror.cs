using System.Net.Http.Headers;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Grpc.Inference;

namespace ModelOperator.Runtime.Shadow;

/// <summary>
/// A stable pod's side of a shadow rollout. The inference path asks <see cref="Sample"/> after reading a request (one
/// field read when no target is set: the serving path is as without mirroring) and, after its answer is written,
/// <see cref="Offer"/>s the copy. Copies wait in a bounded queue (a full queue drops the copy and counts it: never
/// blocking, never growing memory); a few workers send each to the shadow's Service with the original request id,
/// under a per-copy timeout, compare the answers (<see cref="AnswerComparer"/>) and count the results in
/// <see cref="ShadowMetrics"/>; the latest disagreements are kept as examples.
/// </summary>
internal sealed class ShadowMirror : IAsyncDisposable
{
    /// <summary>Copies waiting at most; past it they are dropped.</summary>
    public const int DefaultCapacity = 64;

    /// <summary>Copies in flight to the shadow at once.</summary>
    public const int DefaultConcurrency = 4;

    private const int ExamplesKept = 10;

    /// <summary>The header that carries the original request's id to the shadow (the body carries it too when the client set one).</summary>
    public const string RequestIdHeader = "X-Request-Id";

    private readonly Channel<MirrorCopy> _queue;
    private readonly ShadowMetrics _metrics;
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private readonly Lock _examplesGate = new();
    private readonly Queue<ShadowExample> _examples = new();
    private readonly HttpMessageHandler? _grpcHandler;
    private readonly Lock _channelsGate = new();
    private readonly Dictionary<Uri, GrpcChannel> _channels = [];
    private volatile ShadowTarget? _target;
    private long _sequence;

    public ShadowMirror(ShadowMetrics metrics, ILogger logger, HttpMessageHandler? handler = null, int capacity = DefaultCapacity,
        int concurrency = DefaultConcurrency, Func<double>? random = null, HttpMessageHandler? grpcHandler = null)
    {
        _metrics = metrics;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _grpcHandler = grpcHandler;
        _http.Timeout = Timeout.InfiniteTimeSpan; // each copy has its own, from the target
        _queue = System.Threading.Channels.Channel.CreateBounded<MirrorCopy>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleWriter = false });
        _workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    /// <summary>The current target; null when this pod does not mirror.</summary>
    public ShadowTarget? Target => _target;

    /// <summary>Sets (or, with null, clears) the target; copies already queued for an older target are still sent to it.</summary>
    public void SetTarget(ShadowTarget? target)
    {
        _target = target;
        _logger.LogInformation(target is null ? "Stopped mirroring" : "Mirroring {Fraction} of answered requests to {Url}", target?.Fraction, target?.Url);
    }

    /// <summary>The target to copy this request to, or null (no target, not sampled, or a gRPC request and no gRPC address).</summary>
    public ShadowTarget? Sample(bool grpc = false) =>
        _target is { Fraction: > 0 } t && (!grpc || t.GrpcUrl is not null) && (t.Fraction >= 1 || _random() < t.Fraction) ? t : null;

    /// <summary>A fresh id for a copy whose request had none.</summary>
    public string NextId() => $"mirror-{Interlocked.Increment(ref _sequence)}";

    /// <summary>Queues a copy; when the queue is full the copy is dropped and counted. Never waits.</summary>
    public void Offer(MirrorCopy copy)
    {
        if (!_queue.Writer.TryWrite(copy)) _metrics.Dropped.WithLabels(copy.Model).Inc();
    }

    /// <summary>The latest disagreements, oldest first.</summary>
    public IReadOnlyList<ShadowExample> Examples()
    {
        lock (_examplesGate) return _examples.ToList();
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var copy in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                await MirrorAsync(copy).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
    }

    private async Task MirrorAsync(MirrorCopy copy)
    {
        IReadOnlyList<AnswerTensor>? shadow;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            deadline.CancelAfter(copy.Target.Timeout);
            try
            {
                _metrics.Mirrored.WithLabels(copy.Model).Inc();
                shadow = copy.GrpcRequest is { } grpc
                    ? await SendGrpcAsync(copy, grpc, deadline.Token).ConfigureAwait(false)
                    : await SendRestAsync(copy, deadline.Token).ConfigureAwait(false);
                if (shadow is null) return; // the shadow answered an error status, counted
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.DeadlineExceeded or StatusCode.Cancelled }
                                      && !_stop.IsCancellationRequested)
            {
                Fail(copy, "timeout", $"no answer within {copy.Target.Timeout.TotalSeconds:0.###}s");
                return;
            }
            catch (Exception e) when ((e is OperationCanceledException or RpcException) && _stop.IsCancellationRequested) { return; }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                Fail(copy, "unreachable", e.Status.Detail);
                return;
            }
            catch (RpcException e)
            {
                Fail(copy, "status", $"the shadow answered {e.StatusCode}: {e.Status.Detail}");
                return;
            }
            catch (HttpRequestException e)
            {
                Fail(copy, "unreachable", e.Message);
                return;
            }
            catch (FormatException e)
            {
                Fail(copy, "unreadable", e.Message);
                return;
            }
        }

        foreach (var output in AnswerComparer.Compare(copy.StableAnswer, shadow))
        {
            _metrics.Compared.WithLabels(copy.Model, output.Output).Inc();
            if (output.Agrees) _metrics.Agreeing.WithLabels(copy.Model, output.Output).Inc();
            else Remember(new ShadowExample(copy.RequestId, output.Output, output.Mismatch
                ?? $"row {output.Disagreement!.Row}: stable top-1 {output.Disagreement.StableTop1}, shadow top-1 {output.Disagreement.ShadowTop1}"));
            _metrics.MaxAbsDiff.WithLabels(copy.Model, output.Output).Observe(output.MaxAbsDiff);
        }
    }

    // The REST copy: the client's body and headers as they came, to the same path on the shadow's Service; null (and
    // counted) when the shadow answers an error status.
    private async Task<IReadOnlyList<AnswerTensor>?> SendRestAsync(MirrorCopy copy, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(copy.Target.Url, copy.Path)) { Content = new ByteArrayContent(copy.Body) };
        if (copy.ContentType is { } type && MediaTypeHeaderValue.TryParse(type, out var media)) request.Content.Headers.ContentType = media;
        if (copy.HeaderLength is { } length) request.Headers.TryAddWithoutValidation(Server.InferenceEndpoints.HeaderLengthHeader, length);
        request.Headers.TryAddWithoutValidation(RequestIdHeader, copy.RequestId);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            Fail(copy, "status", $"the shadow answered {(int)response.StatusCode}");
            return null;
        }
        int? headerLength = response.Headers.TryGetValues(Server.InferenceEndpoints.HeaderLengthHeader, out var values)
            && int.TryParse(values.FirstOrDefault(), out var n) ? n : null;
        return AnswerTensors.FromResponse(body, headerLength);
    }

    // The gRPC copy: the same message to the shadow's gRPC port, the request id in the metadata (and in the message).
    private async Task<IReadOnlyList<AnswerTensor>> SendGrpcAsync(MirrorCopy copy, ModelInferRequest request, CancellationToken ct)
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(Channel(copy.Target.GrpcUrl!));
        var response = await client.ModelInferAsync(request, new Metadata { { RequestIdHeader, copy.RequestId } }, cancellationToken: ct).ConfigureAwait(false);
        return AnswerTensors.FromGrpc(response);
    }

    private GrpcChannel Channel(Uri address)
    {
        lock (_channelsGate)
        {
            if (!_channels.TryGetValue(address, out var channel))
                _channels[address] = channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = _grpcHandler ?? new SocketsHttpHandler() });
            return channel;
        }
    }

    private void Fail(MirrorCopy copy, string reason, string message)
    {
        _metrics.Failures.WithLabels(copy.Model, reason).Inc();
        _logger.LogDebug("Mirrored request {RequestId} failed ({Reason}): {Message}", copy.RequestId, reason, message);
    }

    private void Remember(ShadowExample example)
    {
        lock (_examplesGate)
        {
            _examples.Enqueue(example);
            while (_examples.Count > ExamplesKept) _examples.Dequeue();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_workers).ConfigureAwait(false);
        _http.Dispose();
        lock (_channelsGate) foreach (var channel in _channels.Values) channel.Dispose();
        _stop.Dispose();
    }
}
