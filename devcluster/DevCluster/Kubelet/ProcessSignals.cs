using System.Runtime.InteropServices;

namespace ModelOperator.DevCluster.Kubelet;

/// <summary>POSIX signals to a process group, which .NET's Process cannot send.</summary>
internal static class ProcessSignals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "getpgid", SetLastError = true)]
    private static extern int GetProcessGroup(int pid);

    /// <summary>The process group of <paramref name="pid"/>, or -1 when it is gone.</summary>
    public static int GroupOf(int pid) => GetProcessGroup(pid);

    /// <summary>Signals every process of the group; false when none is left.</summary>
    public static bool SignalGroup(int processGroup, int signal) => processGroup > 1 && Kill(-processGroup, signal) == 0;

    /// <summary>Signals one process.</summary>
    public static bool SignalProcess(int pid, int signal) => pid > 1 && Kill(pid, signal) == 0;

    /// <summary>Whether any process of the group is alive (signal 0 probes without delivering).</summary>
    public static bool GroupAlive(int processGroup) => SignalGroup(processGroup, 0);
}
