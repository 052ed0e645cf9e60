namespace ModelOperator.Operator.Reconcile;

/// <summary>
/// The pods allowed to reach a runtime pod's management port (<see cref="WellKnown.RuntimeManagementPort"/>): the
/// operator's own, by namespace and labels (<c>--management-peer NAMESPACE/KEY=VALUE,…</c>; the chart passes its
/// release namespace and the operator's selector labels).
/// </summary>
/// <param name="Namespace">The operator's namespace.</param>
/// <param name="Labels">Labels every operator pod carries.</param>
public sealed record ManagementPeer(string Namespace, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>Parses <c>NAMESPACE/KEY=VALUE[,KEY=VALUE…]</c>, or says what is wrong with it.</summary>
    public static (ManagementPeer? Peer, string? Error) Parse(string value)
    {
        var slash = value.IndexOf('/');
        if (slash <= 0 || slash == value.Length - 1)
            return (null, $"--management-peer must be NAMESPACE/KEY=VALUE[,KEY=VALUE…], such as model-operator/app.kubernetes.io/name=model-operator, got '{value}'");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in value[(slash + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) return (null, $"--management-peer: '{pair}' is not KEY=VALUE");
            labels[pair[..eq]] = pair[(eq + 1)..];
        }
        if (labels.Count == 0) return (null, "--management-peer needs at least one KEY=VALUE label of the operator's pods");
        return (new ManagementPeer(value[..slash], labels), null);
    }
}
