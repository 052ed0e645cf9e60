using Microsoft.Extensions.Time.Testing;
using ModelOperator.Operator.Runtime;

namespace ModelOperator.Operator.Tests.Unit;

public sealed class WorkQueueTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    private WorkQueue<string> NewQueue() => new(_time, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    [Fact]
    public async Task Add_SameKeyTwiceWhileWaiting_IsTakenOnce()
    {
        using var queue = NewQueue();
        queue.Add("ns/a");
        queue.Add("ns/a");
        queue.Add("ns/b");

        Assert.Equal(2, queue.Depth);
        Assert.Equal("ns/a", await queue.TakeAsync(CancellationToken.None).WaitAsync(Bounded));
        Assert.Equal("ns/b", await queue.TakeAsync(CancellationToken.None).WaitAsync(Bounded));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task Add_WhileKeyIsProcessed_IsNotHandedToASecondWorkerUntilDone()
    {
        using var queue = NewQueue();
        queue.Add("ns/a");
        var key = await queue.TakeAsync(CancellationToken.None).WaitAsync(Bounded);

        queue.Add(key);
        var second = queue.TakeAsync(CancellationToken.None);
        await Task.Yield();
        Assert.False(second.IsCompleted, "a key being processed must not be handed out again");

        queue.Done(key);
        Assert.Equal("ns/a", await second.WaitAsync(Bounded));
    }

    [Fact]
    public async Task Done_WithoutNewAdd_DoesNotRequeue()
    {
        using var queue = NewQueue();
        queue.Add("ns/a");
        queue.Done(await queue.TakeAsync(CancellationToken.None).WaitAsync(Bounded));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public void AddRateLimited_DoublesEachFailureUpToTheCap_AndForgetResets()
    {
        using var queue = NewQueue();
        var delays = Enumerable.Range(0, 6).Select(_ => queue.AddRateLimited("ns/a").TotalMilliseconds).ToList();
        Assert.Equal([100, 200, 400, 800, 1000, 1000], delays);

        queue.Forget("ns/a");
        Assert.Equal(100, queue.AddRateLimited("ns/a").TotalMilliseconds);
    }

    [Fact]
    public async Task AddAfter_QueuesOnlyWhenTheDelayHasPassed()
    {
        using var queue = NewQueue();
        queue.AddAfter("ns/a", TimeSpan.FromSeconds(30));

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, queue.Depth);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Depth);
        Assert.Equal("ns/a", await queue.TakeAsync(CancellationToken.None).WaitAsync(Bounded));
    }

    [Fact]
    public void AddAfter_EarlierDueTimeWins_AndKeyIsQueuedOnce()
    {
        using var queue = NewQueue();
        queue.AddAfter("ns/a", TimeSpan.FromSeconds(60));
        queue.AddAfter("ns/a", TimeSpan.FromSeconds(5));
        queue.AddAfter("ns/a", TimeSpan.FromSeconds(30));

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, queue.Depth);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, queue.Depth);
    }

    [Fact]
    public async Task TakeAsync_Cancelled_Throws()
    {
        using var queue = NewQueue();
        using var cts = new CancellationTokenSource();
        var take = queue.TakeAsync(cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => take.WaitAsync(Bounded));
    }
}
