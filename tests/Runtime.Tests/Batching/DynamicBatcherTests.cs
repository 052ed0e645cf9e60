using System.Diagnostics;
using System.Runtime.InteropServices;
using ModelOperator.Runtime.Batching;
using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Metrics;
using ModelOperator.Runtime.Protocol;
using ModelOperator.Runtime.Tests.Infrastructure;
using ModelOperator.SampleModels.Onnx;
using Xunit;

namespace ModelOperator.Runtime.Tests.Batching;

public sealed class DynamicBatcherTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static OnnxModel Load(string path) => OnnxModel.Load(path, DeviceKind.Cpu, SessionTuning.ForServing());

    private static InferRequest FloatRequest(OnnxModel model, int rows, int seed)
    {
        var spec = model.Inputs.Single();
        var width = (int)spec.Shape[1] > 0 ? (int)spec.Shape[1] : 5;
        var tensor = TensorData.Rent(spec.Name, Datatype.Fp32, [rows, width]);
        var values = MemoryMarshal.Cast<byte, float>(tensor.Bytes);
        for (var i = 0; i < values.Length; i++) values[i] = (seed * 31 + i * 7) % 17 / 4f - 2f;
        return new InferRequest($"r{seed}", [tensor], model.Outputs.Select(o => new RequestedOutput(o.Name, false)).ToArray());
    }

    private static async Task<T> Within<T>(Task<T> task, string what)
    {
        var done = await Task.WhenAny(task, Task.Delay(Bound));
        Assert.True(done == task, $"{what} did not finish within {Bound.TotalSeconds} s");
        return await task;
    }

    [Fact]
    public async Task ConcurrentRequests_GetExactlyTheResultsOfRunningEachAlone()
    {
        using var model = Load(ModelFiles.Mlp);
        var metrics = new RuntimeMetrics();
        await using var batcher = new DynamicBatcher(model, maxBatch: 16, TimeSpan.FromMilliseconds(50), new RunObserver(metrics, "mlp"));
        var requests = Enumerable.Range(0, 24).Select(i => FloatRequest(model, rows: 1 + i % 3, seed: i)).ToList();

        var batched = await Within(Task.WhenAll(requests.Select(r => batcher.RunAsync(r, default).AsTask())), "24 batched requests");

        for (var i = 0; i < requests.Count; i++)
        {
            var alone = model.Run(requests[i].Inputs, model.OutputNames);
            Assert.Equal(alone[0].Shape, batched[i][0].Shape);
            Assert.True(alone[0].Bytes.SequenceEqual(batched[i][0].Bytes), $"request {i}: the batched result differs from running it alone");
        }
        var runs = metrics.BatchSize.WithLabels("mlp");
        Assert.True(runs.Count < requests.Count, $"expected requests to share runs, but there were {runs.Count} runs for {requests.Count} requests");
        Assert.Equal(requests.Sum(r => r.Inputs[0].Shape[0]), (long)runs.Sum);
    }

    [Fact]
    public async Task EachRequest_GetsItsOwnRowsBack_InItsOwnOrder()
    {
        using var model = Load(ModelFiles.Identity(OnnxElementType.Float));
        await using var batcher = new DynamicBatcher(model, maxBatch: 64, TimeSpan.FromMilliseconds(50), RunObserver.None);
        var requests = Enumerable.Range(0, 20).Select(i => FloatRequest(model, rows: 1 + i % 4, seed: i)).ToList();

        var results = await Within(Task.WhenAll(requests.Select(r => batcher.RunAsync(r, default).AsTask())), "20 identity requests");

        for (var i = 0; i < requests.Count; i++)
            Assert.True(requests[i].Inputs[0].Bytes.SequenceEqual(results[i][0].Bytes), $"request {i} got rows that are not its own");
    }

    [Fact]
    public async Task LoneRequest_RunsWhenTheDelayExpires()
    {
        using var model = Load(ModelFiles.Mlp);
        var delay = TimeSpan.FromMilliseconds(200);
        await using var batcher = new DynamicBatcher(model, maxBatch: 32, delay, RunObserver.None);
        var clock = Stopwatch.StartNew();

        var result = await Within(batcher.RunAsync(FloatRequest(model, 1, 1), default).AsTask(), "a lone request");

        Assert.Equal([1L, 4L], result[0].Shape);
        Assert.True(clock.Elapsed >= delay * 0.9, $"the lone request ran after {clock.ElapsedMilliseconds} ms, before the {delay.TotalMilliseconds} ms delay");
    }

    [Fact]
    public async Task LoneRequest_RunsAtOnce_WhenNoOtherRequestIsOnTheWay()
    {
        using var model = Load(ModelFiles.Mlp);
        await using var batcher = new DynamicBatcher(model, maxBatch: 32, TimeSpan.FromSeconds(20), RunObserver.None, moreOnTheWay: () => false);
        var clock = Stopwatch.StartNew();

        await Within(batcher.RunAsync(FloatRequest(model, 1, 1), default).AsTask(), "a lone request with nothing else arriving");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the lone request waited {clock.ElapsedMilliseconds} ms for others that were not coming");
    }

    [Fact]
    public async Task FullBatch_RunsWithoutWaitingForTheDelay()
    {
        using var model = Load(ModelFiles.Mlp);
        await using var batcher = new DynamicBatcher(model, maxBatch: 4, TimeSpan.FromSeconds(20), RunObserver.None);
        var clock = Stopwatch.StartNew();

        await Within(Task.WhenAll(Enumerable.Range(0, 4).Select(i => batcher.RunAsync(FloatRequest(model, 1, i), default).AsTask())), "a full batch");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a full batch of 4 waited {clock.ElapsedMilliseconds} ms, as if for the 20 s delay");
    }

    [Fact]
    public async Task RequestsOfDifferentShapes_RunSeparately_AndEachIsAnswered()
    {
        using var model = Load(ModelFiles.Identity(OnnxElementType.Float));
        var metrics = new RuntimeMetrics();
        await using var batcher = new DynamicBatcher(model, maxBatch: 64, TimeSpan.FromMilliseconds(100), new RunObserver(metrics, "identity"));
        var narrow = FloatRequest(model, 2, 1);
        var wideTensor = TensorData.Rent(model.Inputs[0].Name, Datatype.Fp32, [2, 9]);
        wideTensor.Bytes.Fill(1);
        var wide = new InferRequest("wide", [wideTensor], [new RequestedOutput(model.OutputNames[0], false)]);

        var results = await Within(Task.WhenAll(batcher.RunAsync(narrow, default).AsTask(), batcher.RunAsync(wide, default).AsTask()), "two differently shaped requests");

        Assert.Equal([2L, 5L], results[0][0].Shape);
        Assert.Equal([2L, 9L], results[1][0].Shape);
        Assert.Equal(2, metrics.BatchSize.WithLabels("identity").Count);
    }

    [Fact]
    public void StaticBatchModel_CannotBeBatched()
    {
        using var model = Load(ModelFiles.StaticBatch);

        Assert.False(model.CanBatch);
        Assert.Throws<ArgumentException>(() => new DynamicBatcher(model, 8, TimeSpan.FromMilliseconds(1), RunObserver.None));
    }

    [Fact]
    public async Task Disposing_FinishesRequestsAlreadyQueued()
    {
        using var model = Load(ModelFiles.Mlp);
        var batcher = new DynamicBatcher(model, maxBatch: 32, TimeSpan.FromMilliseconds(300), RunObserver.None);
        var queued = batcher.RunAsync(FloatRequest(model, 1, 1), default).AsTask();

        await batcher.DisposeAsync();

        Assert.True(queued.IsCompletedSuccessfully, "the queued request was not answered before the batcher stopped");
        var result = await queued;
        Assert.Equal([1L, 4L], result[0].Shape);
    }
}
