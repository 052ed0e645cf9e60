namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// A running container's cumulative CPU time and its memory in use, read as cAdvisor reads them: from the container's
/// cgroup with the container runtime (memory is the working set, usage less inactive file cache; cgroup v1 or v2), and
/// for a process from <c>/proc</c>, summed over its process group (user and system time; resident memory). Null
/// where nothing can be read (it has just exited).
/// </summary>
internal static class ContainerUsageReader
{
    /// <summary>USER_HZ, the unit of /proc/[pid]/stat's times: 100 on every Linux architecture .NET runs on.</summary>
    private const long ClockTicksPerSecond = 100;

    /// <summary>A container's from its cgroup parent; a local process's from its group, which its <paramref name="pid"/> leads.</summary>
    public static (long CpuNanos, long MemoryBytes)? Read(LaunchPlan plan, int pid) =>
        plan.ExecPrefix is { Count: >= 3 } prefix && prefix[1] == "exec"
            ? Cgroup(PodmanRuntime.CgroupParent(prefix[^1]).TrimStart('/'))
            : ProcessGroup(pid);

    private static (long, long)? Cgroup(string relative)
    {
        const string root = "/sys/fs/cgroup";
        var memoryV1 = Path.Combine(root, "memory", relative);
        if (Directory.Exists(memoryV1))
        {
            var cpu = new[] { "cpuacct", "cpu,cpuacct", "cpu" }.Select(c => Path.Combine(root, c, relative, "cpuacct.usage")).FirstOrDefault(File.Exists);
            var usage = Number(Path.Combine(memoryV1, "memory.usage_in_bytes"));
            if (usage is null) return null;
            var inactive = StatValue(Path.Combine(memoryV1, "memory.stat"), "total_inactive_file") ?? 0;
            return (cpu is null ? 0 : Number(cpu) ?? 0, Math.Max(0, usage.Value - inactive));
        }
        var v2 = Path.Combine(root, relative);
        if (Number(Path.Combine(v2, "memory.current")) is not { } current) return null;
        var usec = StatValue(Path.Combine(v2, "cpu.stat"), "usage_usec") ?? 0;
        return (usec * 1000, Math.Max(0, current - (StatValue(Path.Combine(v2, "memory.stat"), "inactive_file") ?? 0)));
    }

    private static (long, long)? ProcessGroup(int group)
    {
        long ticks = 0, pages = 0;
        var found = false;
        var groupText = group.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; } catch (UnauthorizedAccessException) { continue; }
            // After the parenthesised command: state ppid pgrp … utime (14th field) stime (15th) … rss (24th).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length < 22 || fields[2] != groupText) continue;
            found = true;
            ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            pages += long.Parse(fields[21], System.Globalization.CultureInfo.InvariantCulture);
        }
        return found ? (ticks * (1_000_000_000 / ClockTicksPerSecond), pages * Environment.SystemPageSize) : null;
    }

    private static long? Number(string file)
    {
        try { return long.TryParse(File.ReadAllText(file).Trim(), out var n) ? n : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static long? StatValue(string file, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
                if (line.StartsWith(key + " ", StringComparison.Ordinal) && long.TryParse(line[(key.Length + 1)..], out var n)) return n;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }
}
