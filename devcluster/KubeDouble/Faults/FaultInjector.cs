using ModelOperator.KubeDouble.Http;

namespace ModelOperator.KubeDouble.Faults;

/// <summary>Faults for tests: error answers and latency per verb and resource, and watches that drop or expire.</summary>
public sealed class FaultInjector
{
    private readonly List<ActiveRule> _rules = [];
    private readonly Dictionary<string, int> _dropAfter = [];
    private readonly HashSet<string> _expire = [];

    private sealed class ActiveRule(FaultRule rule)
    {
        public FaultRule Rule => rule;
        public int Fired;
    }

    public void Add(FaultRule rule)
    {
        lock (_rules) _rules.Add(new ActiveRule(rule));
    }

    /// <summary>Ends every watch on <paramref name="resource"/> that starts from now on after it has sent <paramref name="afterEvents"/> events.</summary>
    public void DropWatches(string resource, int afterEvents = 0)
    {
        lock (_rules) _dropAfter[resource] = afterEvents;
    }

    /// <summary>Answers the next watch on <paramref name="resource"/> with an ERROR event carrying 410 Expired.</summary>
    public void ExpireWatches(string resource)
    {
        lock (_rules) _expire.Add(resource);
    }

    public void Clear()
    {
        lock (_rules) { _rules.Clear(); _dropAfter.Clear(); _expire.Clear(); }
    }

    /// <summary>How many times rules have fired in total.</summary>
    public int FiredCount
    {
        get { lock (_rules) return _rules.Sum(r => r.Fired); }
    }

    internal FaultRule? Match(ApiRequest request)
    {
        lock (_rules)
        {
            foreach (var active in _rules)
            {
                var r = active.Rule;
                if (r.Times is { } times && active.Fired >= times) continue;
                if (r.Verb is not null && r.Verb != request.Verb) continue;
                if (r.Resource is not null && r.Resource != request.Type.Plural) continue;
                if (!r.AnySubresource && r.Subresource != request.Subresource) continue;
                if (r.Namespace is not null && r.Namespace != request.Namespace) continue;
                if (r.Name is not null && r.Name != request.Name) continue;
                active.Fired++;
                return r;
            }
            return null;
        }
    }

    internal int? DropAfter(string resource)
    {
        lock (_rules) return _dropAfter.TryGetValue(resource, out var n) ? n : null;
    }

    internal bool TakeExpire(string resource)
    {
        lock (_rules) return _expire.Remove(resource);
    }
}
