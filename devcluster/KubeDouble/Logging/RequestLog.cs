namespace ModelOperator.KubeDouble.Logging;

/// <summary>Every request the double answered, in order, for tests that count or inspect API calls.</summary>
public sealed class RequestLog
{
    private readonly List<RequestRecord> _records = [];

    internal void Add(RequestRecord record)
    {
        lock (_records) _records.Add(record);
    }

    /// <summary>A snapshot of every request so far.</summary>
    public IReadOnlyList<RequestRecord> All()
    {
        lock (_records) return [.. _records];
    }

    /// <summary>The writes (create, update, patch, delete, deletecollection) so far, dry runs excluded.</summary>
    public IReadOnlyList<RequestRecord> Writes() => [.. All().Where(r => r.IsWrite)];

    /// <summary>Requests of one verb, optionally for one resource (plural).</summary>
    public IReadOnlyList<RequestRecord> Where(string verb, string? resource = null) =>
        [.. All().Where(r => r.Verb == verb && (resource is null || r.Resource == resource))];

    public int Count
    {
        get { lock (_records) return _records.Count; }
    }

    public void Clear()
    {
        lock (_records) _records.Clear();
    }
}
