namespace ModelOperator.DevCluster.Kubelet;

/// <summary>How the dev cluster's kubelet runs pods; the defaults are a real kubelet's.</summary>
public sealed record KubeletOptions
{
    /// <summary>The first crash-loop back-off; each further restart doubles it (a real kubelet: 10 s).</summary>
    public TimeSpan BackOffBase { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>The longest crash-loop back-off (a real kubelet: 5 min).</summary>
    public TimeSpan BackOffMax { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// Local folders for PersistentVolumeClaims by claim name; a claim not listed gets
    /// <c>&lt;state&gt;/volumes/claims/&lt;namespace&gt;/&lt;claim&gt;</c>.
    /// </summary>
    public Dictionary<string, string> ClaimDirectories { get; init; } = [];
    /// <summary>
    /// On pod deletion, how long a container keeps running after the pod is reported not ready and before it gets
    /// SIGTERM, so that endpoints and the Service proxy stop routing to it first: a preStop sleep every container gets
    /// (a real kubelet has none by default; there a <c>preStop: {sleep: {seconds: N}}</c> hook does this). A container's
    /// own <c>lifecycle.preStop.sleep</c> replaces it; both count against terminationGracePeriodSeconds. Zero: none.
    /// </summary>
    public TimeSpan TerminationDrainDelay { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// How long processes get between SIGTERM and SIGKILL when the whole cluster stops: longer than the operator's
    /// runtime pods keep serving after SIGTERM (<c>--shutdown-delay 5</c>), so they stop cleanly (exit 0, not 137).
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Host folders every container sees at their own path, read-only, as kind's <c>extraMounts</c> give a kind node's
    /// containers: how a <c>file://</c> model URI naming a host path reaches a pod. The default is the repository the
    /// dev cluster runs from (its <c>.artifacts/</c> holds the sample models). A volume mounted at a shallower path (an
    /// emptyDir at <c>/tmp</c> with the repository under <c>/tmp</c>) does not hide them, as a deeper mount is not hidden
    /// on a real node.
    /// </summary>
    public IReadOnlyList<string> HostMounts { get; init; } = [DefaultImages.RepositoryRoot()];
    /// <summary>
    /// Null (the default): containers run as local processes. Set: they run as podman containers of their images
    /// (<see cref="PodmanLaunch"/>); opt-in (<c>dev-cluster --containers</c>, <c>CONTAINERS=1 make dev-cluster</c>).
    /// </summary>
    public ContainerRuntimeOptions? Containers { get; init; }
}
