using System.Diagnostics;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>bcrypt htpasswd lines made by Apache's <c>htpasswd -B</c> (Debian apache2-utils), the format the registry reads.</summary>
internal static class Htpasswd
{
    public static async Task<string> LineAsync(string user, string password)
    {
        var start = new ProcessStartInfo("htpasswd", ["-B", "-b", "-n", user, password]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("htpasswd did not start (install apache2-utils)");
        var output = await process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"htpasswd failed: {await process.StandardError.ReadToEndAsync()}");
        return output.Trim() + "\n";
    }
}
