using System.Threading.Channels;

namespace ModelOperator.KubeDouble.Watch;

/// <summary>
/// A bounded window of committed events plus the live subscribers. A watch that asks to resume from a revision
/// older than the window gets 410 Expired, as the real API server does after etcd compaction.
/// Every member is called under the store's lock, so events reach subscribers in commit order.
/// </summary>
internal sealed class WatchHistory(int capacity)
{
    private readonly LinkedList<WatchEvent> _events = new();
    private readonly List<WatchSubscription> _subscribers = [];

    /// <summary>The newest revision no longer in the window; resuming from anything older is impossible.</summary>
    public long CompactedRevision { get; private set; }

    public void Append(WatchEvent e)
    {
        _events.AddLast(e);
        while (_events.Count > capacity)
        {
            CompactedRevision = _events.First!.Value.Revision;
            _events.RemoveFirst();
        }
        foreach (var subscriber in _subscribers.Where(s => s.StorageKey == e.StorageKey)) subscriber.Writer.TryWrite(e);
    }

    /// <summary>Forgets everything up to the current revision, so every resume from an older revision expires.</summary>
    public void Compact(long currentRevision)
    {
        _events.Clear();
        CompactedRevision = currentRevision;
    }

    public IEnumerable<WatchEvent> Since(string storageKey, long revision) =>
        _events.Where(e => e.Revision > revision && e.StorageKey == storageKey);

    public WatchSubscription Subscribe(string storageKey)
    {
        var subscription = new WatchSubscription(storageKey, Channel.CreateUnbounded<WatchEvent>(new() { SingleReader = true }), this);
        _subscribers.Add(subscription);
        return subscription;
    }

    internal void Remove(WatchSubscription subscription) => _subscribers.Remove(subscription);

    /// <summary>Ends every watch on a resource that stops being served (its CRD was deleted).</summary>
    public void EndAll(string storageKey)
    {
        foreach (var subscriber in _subscribers.Where(s => s.StorageKey == storageKey).ToList()) subscriber.Writer.TryComplete();
    }
}

/// <summary>A live watcher's queue of events for one stored resource.</summary>
internal sealed class WatchSubscription(string storageKey, Channel<WatchEvent> channel, WatchHistory history)
{
    public string StorageKey => storageKey;
    public ChannelWriter<WatchEvent> Writer => channel.Writer;
    public ChannelReader<WatchEvent> Reader => channel.Reader;
    public void Unsubscribe(object sync) { lock (sync) history.Remove(this); channel.Writer.TryComplete(); }
}
