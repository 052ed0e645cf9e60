using k8s.Models;
using Microsoft.Extensions.Logging;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// Runs one container of a pod through its life as the kubelet does: resolve the image (ErrImagePull and
/// ImagePullBackOff when it maps to nothing), start the process, probe it (startup, then liveness and readiness),
/// restart it under the pod's restartPolicy with crash-loop back-off, and stop it gracefully when asked.
/// </summary>
internal sealed class ContainerSupervisor
{
    private readonly V1Container _spec;
    private readonly PodSandbox _sandbox;
    private readonly KubeletServices _services;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _sync = new();
    private ContainerSnapshot _snapshot;
    private IContainerInstance? _process;
    private LaunchPlan? _plan;
    private DateTime _startedAt;
    private TimeSpan _stopGrace = TimeSpan.FromSeconds(30);
    private string? _imageId;
    private string? _imageUser;

    public ContainerSupervisor(V1Container spec, PodSandbox sandbox, KubeletServices services)
    {
        _spec = spec;
        _sandbox = sandbox;
        _services = services;
        _snapshot = ContainerSnapshot.Waiting(spec.Name, spec.Image, "ContainerCreating");
    }

    public ContainerSnapshot Snapshot { get { lock (_sync) return _snapshot; } }

    /// <summary>The container as the pod spec declares it.</summary>
    public V1Container Spec => _spec;

    /// <summary>
    /// The running instance (how it was launched, its pid, which for a local process leads its process group, when it
    /// started), or null when none runs.
    /// </summary>
    public (LaunchPlan Plan, int Pid, DateTime StartedAt)? Running
    {
        get { lock (_sync) return _process is null || _plan is null ? null : (_plan, _process.Pid, _startedAt); }
    }

    /// <summary>Whether an instance runs.</summary>
    public bool IsRunning { get { lock (_sync) return _process is not null; } }

    /// <summary>The process group of the running instance where it is a local process (a container's processes are in its own PID namespace).</summary>
    public int? ProcessGroup { get { lock (_sync) return (_process as LocalProcess)?.ProcessGroup; } }

    private V1Pod Pod => _sandbox.Pod;

    /// <summary>Stops the container: SIGTERM, up to <paramref name="grace"/>, SIGKILL; no restart afterwards.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        IContainerInstance? process;
        lock (_sync)
        {
            _stopGrace = grace;
            process = _process;
        }
        await _stopping.CancelAsync();
        if (process is not null) await process.StopAsync(grace);
    }

    /// <summary>Runs the container until it finishes under its restart policy or is stopped.</summary>
    public async Task RunAsync()
    {
        var stop = _stopping.Token;
        var pullFailures = 0;
        var crashes = 0;
        var pulled = false;
        while (!stop.IsCancellationRequested)
        {
            string? pullError = null;
            string[]? entrypoint = null;
            if (_services.Podman is { } podman)
            {
                var reference = podman.Options.Resolve(_spec.Image);
                if (!pulled)
                {
                    await _services.Events.NormalAsync(Pod, _spec.Name, "Pulling", $"Pulling image \"{_spec.Image}\"{(reference == _spec.Image ? "" : $" from {reference}")}");
                    var started = System.Diagnostics.Stopwatch.StartNew();
                    var (pullSecrets, missing) = await _sandbox.PullSecretsAsync(stop);
                    if (missing.Count > 0)
                        await _services.Events.WarningAsync(Pod, null, "FailedToRetrieveImagePullSecret",
                            $"Unable to retrieve some image pull secrets ({string.Join(", ", missing)}); attempting to pull the image may not succeed.");
                    string? error;
                    try
                    {
                        var credentials = RegistryCredentials.For(reference, pullSecrets);
                        (_, error, _imageUser) = await podman.PullAsync(reference, _spec.ImagePullPolicy,
                            !reference.Contains('@') && (reference.EndsWith(":latest", StringComparison.Ordinal) || !reference[(reference.LastIndexOf('/') + 1)..].Contains(':')), credentials);
                    }
                    catch (FormatException e) { error = e.Message; } // a malformed pull secret, named in the message
                    pullError = error is null ? null : $"Failed to pull image \"{_spec.Image}\": {error}";
                    if (pullError is null)
                    {
                        _imageId = await podman.ImageIdAsync(reference);
                        await _services.Events.NormalAsync(Pod, _spec.Name, "Pulled", $"Successfully pulled image \"{_spec.Image}\" ({reference}) in {started.Elapsed.TotalSeconds:0.###}s");
                        pulled = true;
                    }
                }
                else await _services.Events.NormalAsync(Pod, _spec.Name, "Pulled", $"Container image \"{_spec.Image}\" already present on machine");
                entrypoint = [reference];
            }
            else if (!_services.Images.TryGetValue(_spec.Image, out entrypoint) || entrypoint.Length == 0)
                pullError = $"Failed to pull image \"{_spec.Image}\": the dev cluster maps no local program to this image (DevClusterOptions.Images knows: {string.Join(", ", _services.Images.Keys)})";
            if (pullError is not null)
            {
                var message = pullError;
                Set(s => s with { State = Waiting("ErrImagePull", message), Ready = false, Started = false });
                await _services.Events.NormalAsync(Pod, _spec.Name, "Pulling", $"Pulling image \"{_spec.Image}\"");
                await _services.Events.WarningAsync(Pod, _spec.Name, "Failed", message);
                await _services.Events.WarningAsync(Pod, _spec.Name, "Failed", "Error: ErrImagePull");
                var delay = CrashLoopBackOff.Delay(pullFailures++, _services.Options.BackOffBase, _services.Options.BackOffMax);
                await Task.Delay(delay.TotalMilliseconds >= 1000 ? TimeSpan.FromSeconds(1) : delay, stop).ContinueWith(_ => { });
                if (stop.IsCancellationRequested) break;
                // As the kubelet (1.30+): the back-off message carries the last pull's error, so the registry's answer stays in the status.
                Set(s => s with { State = Waiting("ImagePullBackOff", $"Back-off pulling image \"{_spec.Image}\": ErrImagePull: {message}") });
                await _services.Events.NormalAsync(Pod, _spec.Name, "BackOff", $"Back-off pulling image \"{_spec.Image}\"");
                await _services.Events.WarningAsync(Pod, _spec.Name, "Failed", "Error: ImagePullBackOff");
                await Task.Delay(delay, stop).ContinueWith(_ => { });
                continue;
            }
            // A process has no image to pull: the events say which local program stands in for it (podman's are sent above).
            if (_services.Podman is null)
            {
                if (!pulled)
                {
                    await _services.Events.NormalAsync(Pod, _spec.Name, "Pulling", $"Pulling image \"{_spec.Image}\"");
                    await _services.Events.NormalAsync(Pod, _spec.Name, "Pulled", $"Successfully pulled image \"{_spec.Image}\" (the local program {entrypoint![0]})");
                    pulled = true;
                }
                else await _services.Events.NormalAsync(Pod, _spec.Name, "Pulled", $"Container image \"{_spec.Image}\" already present on machine");
            }

            var outcome = await RunInstanceAsync(entrypoint!, stop);
            if (outcome is null) // could not start: a config error, retried with back-off
            {
                await WaitBackOffAsync(crashes++, stop, crashLoop: false);
                continue;
            }
            if (stop.IsCancellationRequested) break;
            var (exitCode, ranFor) = outcome.Value;
            if (!CrashLoopBackOff.ShouldRestart(Pod.Spec.RestartPolicy, exitCode))
            {
                Set(s => s with { Finished = true });
                break;
            }
            if (ranFor >= TimeSpan.FromMinutes(10)) crashes = 0; // a container that ran well for 10 minutes starts its back-off afresh, as the kubelet's does
            await WaitBackOffAsync(crashes++, stop, crashLoop: true);
            if (stop.IsCancellationRequested) break;
            Set(s => s with { RestartCount = s.RestartCount + 1 });
        }
        Set(s => s with { Ready = false, Finished = true });
    }

    private async Task WaitBackOffAsync(int crashes, CancellationToken stop, bool crashLoop)
    {
        var delay = CrashLoopBackOff.Delay(crashes, _services.Options.BackOffBase, _services.Options.BackOffMax);
        var pod = Pod;
        var podRef = $"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})";
        if (crashLoop)
            Set(s => s with { State = Waiting("CrashLoopBackOff", $"back-off {Format(delay)} restarting failed container={_spec.Name} pod={podRef}"), Ready = false, Started = false });
        await _services.Events.WarningAsync(pod, _spec.Name, "BackOff", $"Back-off restarting failed container {_spec.Name} in pod {podRef}");
        await Task.Delay(delay, stop).ContinueWith(_ => { });
    }

    /// <summary>Runs one instance until it exits; null when it could not start.</summary>
    private async Task<(int ExitCode, TimeSpan RanFor)?> RunInstanceAsync(string[] entrypoint, CancellationToken stop)
    {
        var pod = Pod;
        LaunchPlan plan;
        IContainerInstance process;
        string containerName;
        var instance = Snapshot.RestartCount;
        var logFile = _services.Logs.LogFile(pod.Metadata.NamespaceProperty ?? "default", pod.Metadata.Name, pod.Metadata.Uid, _spec.Name, instance);
        try
        {
            containerName = $"k8s_{_spec.Name}_{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty ?? "default"}_{pod.Metadata.Uid}_{instance}";
            var sources = await _sandbox.SourcesOfAsync(_spec, stop);
            // The image's own user (read when it was pulled) decides runAsNonRoot where the pod names none; processes have no image to ask.
            var imageUser = _imageUser;
            if (RunAsNonRoot.Violation(pod, _spec, imageUser) is { } violation) throw new ContainerConfigException(violation);
            plan = _services.Podman is { } podman
                ? PodmanLaunch.Compose(pod, _spec, entrypoint[0], containerName, _sandbox.PodIp, _sandbox.HostIp, _sandbox.MountsOf(_spec), _sandbox.Directory,
                    logFile, podman.Options, Environment.GetEnvironmentVariable, _services.Api, sources, imageUser)
                : ContainerLaunch.Compose(pod, _spec, entrypoint, _sandbox.PodIp, _sandbox.HostIp, _sandbox.MountsOf(_spec), _sandbox.Directory,
                    Environment.GetEnvironmentVariable, _services.Api, sources);
            foreach (var skipped in plan.SkippedEnvKeys)
                await _services.Events.WarningAsync(pod, _spec.Name, "InvalidEnvironmentVariableNames", skipped);
            Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
            File.Delete(logFile);
            File.Delete(Path.ChangeExtension(logFile, ".exited"));
            process = _services.Podman is { } podmanRuntime
                ? await PodmanContainer.StartAsync(plan, containerName, PodmanLaunch.ConmonPidFile(_sandbox.Directory, containerName), logFile, podmanRuntime)
                : LocalProcess.Start(plan, logFile);
        }
        catch (Exception e) when (e is ContainerConfigException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            Set(s => s with { State = Waiting("CreateContainerConfigError", e.Message), Ready = false, Started = false });
            await _services.Events.WarningAsync(pod, _spec.Name, "Failed", $"Error: {e.Message}");
            return null;
        }
        var startedAt = Now();
        lock (_sync)
        {
            _process = process;
            _plan = plan;
            _startedAt = DateTime.UtcNow;
        }
        _services.Logger.LogInformation("Started container {Container} of pod {Namespace}/{Pod} pid={Pid} ip={PodIp}", _spec.Name,
            pod.Metadata.NamespaceProperty, pod.Metadata.Name, process.Pid, _sandbox.PodIp);
        Set(s => s with
        {
            State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = startedAt } },
            ContainerId = _services.Podman is null ? $"devcluster://{process.Pid}" : $"podman://{containerName}",
            ImageId = _services.Podman is null ? plan.Program : _imageId,
            Started = _spec.StartupProbe is null, Ready = _spec.StartupProbe is null && _spec.ReadinessProbe is null,
        });
        await _services.Events.NormalAsync(pod, _spec.Name, "Created", $"Created container: {_spec.Name}");
        await _services.Events.NormalAsync(pod, _spec.Name, "Started", $"Started container {_spec.Name}");
        if (stop.IsCancellationRequested) await process.StopAsync(_stopGrace);

        using var probing = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var unhealthy = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probes = new ContainerProbes(_spec, _sandbox, _services, plan, Set, unhealthy);
        var probeLoop = probes.RunAsync(probing.Token);
        if (await Task.WhenAny(process.Exited, unhealthy.Task) == unhealthy.Task && !process.Exited.IsCompleted)
        {
            await _services.Events.NormalAsync(pod, _spec.Name, "Killing", unhealthy.Task.Result);
            await process.StopAsync(TimeSpan.FromSeconds(Pod.Spec.TerminationGracePeriodSeconds ?? 30));
        }
        var exitCode = await process.Exited;
        var reason = exitCode == 0 ? "Completed" : "Error";
        if (_services.Podman is { } runtime)
        {
            var limit = _spec.Resources?.Limits is { } limits && limits.TryGetValue("memory", out var memory) ? memory.ToInt64() : (long?)null;
            if (exitCode != 0 && !stop.IsCancellationRequested && await runtime.OomKilledAsync(containerName, exitCode, limit)) reason = "OOMKilled";
            await runtime.RemoveAsync(containerName);
        }
        await probing.CancelAsync();
        await probeLoop;
        PodLogDirectory.MarkExited(logFile);
        lock (_sync)
        {
            _process = null;
            _plan = null;
        }
        _services.Logger.LogInformation("Container {Container} of pod {Namespace}/{Pod} exited code={ExitCode}", _spec.Name,
            pod.Metadata.NamespaceProperty, pod.Metadata.Name, exitCode);
        var message = TerminationMessage(exitCode, logFile);
        Set(s =>
        {
            var terminated = Terminated(s, exitCode, reason, message);
            return s with { State = terminated, LastState = terminated, Ready = false };
        });
        return (exitCode, Now() - startedAt);
    }

    private void Set(Func<ContainerSnapshot, ContainerSnapshot> change)
    {
        lock (_sync) _snapshot = change(_snapshot);
        _sandbox.Changed();
    }

    private static V1ContainerState Waiting(string reason, string message) =>
        new() { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } };

    private static V1ContainerState Terminated(ContainerSnapshot s, int exitCode, string reason, string? message = null) => new()
    {
        Terminated = new V1ContainerStateTerminated
        {
            ExitCode = exitCode, Reason = reason, StartedAt = s.State.Running?.StartedAt, FinishedAt = Now(), ContainerID = s.ContainerId,
            Message = message,
        },
    };

    /// <summary>
    /// terminationMessagePolicy FallbackToLogsOnError: a failed container's message is the tail of its log (the last
    /// 80 lines, at most their last 2048 bytes), as the kubelet takes it when the termination message file is empty;
    /// there is no such file here, so File gives no message.
    /// </summary>
    private string? TerminationMessage(int exitCode, string logFile)
    {
        if (exitCode == 0 || _spec.TerminationMessagePolicy != "FallbackToLogsOnError" || !File.Exists(logFile)) return null;
        try
        {
            var lines = PodLogDirectory.ReadText(logFile).Split('\n');
            if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1];
            var tail = string.Join('\n', lines.TakeLast(80));
            var bytes = System.Text.Encoding.UTF8.GetBytes(tail);
            return bytes.Length <= 2048 ? tail : System.Text.Encoding.UTF8.GetString(bytes, bytes.Length - 2048, 2048);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Now to the second, as the API serialises times, so an unchanged status compares equal.</summary>
    internal static DateTime Now()
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private static string Format(TimeSpan delay) => delay.TotalSeconds >= 60 ? $"{(int)delay.TotalMinutes}m{delay.Seconds}s" : $"{delay.TotalSeconds:0.###}s";
}
