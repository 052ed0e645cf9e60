using System.Diagnostics;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>
/// A private certificate authority made with <c>openssl</c>, as a platform team's would be, and a server certificate it
/// signed for 127.0.0.1: the CA's PEM is what a user puts in a ConfigMap for <c>spec.model.caBundle</c>.
/// </summary>
internal sealed class TestCertificateAuthority
{
    public required string CaCertificateFile { get; init; }
    public required string ServerCertificateFile { get; init; }
    public required string ServerKeyFile { get; init; }

    /// <summary>Creates the CA and a server certificate for the loopback address under <paramref name="dir"/>.</summary>
    public static async Task<TestCertificateAuthority> CreateAsync(string dir)
    {
        Directory.CreateDirectory(dir);
        string P(string name) => Path.Combine(dir, name);
        await File.WriteAllTextAsync(P("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
        await OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Model Operator Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", P("ca.key"), "-out", P("ca.crt"));
        await OpenSslAsync("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", P("server.key"), "-out", P("server.csr"));
        await OpenSslAsync("x509", "-req", "-in", P("server.csr"), "-CA", P("ca.crt"), "-CAkey", P("ca.key"), "-CAcreateserial",
            "-days", "2", "-extfile", P("server.ext"), "-out", P("server.crt"));
        return new TestCertificateAuthority { CaCertificateFile = P("ca.crt"), ServerCertificateFile = P("server.crt"), ServerKeyFile = P("server.key") };
    }

    private static async Task OpenSslAsync(params string[] args)
    {
        var start = new ProcessStartInfo("openssl", args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {await stderr}");
    }
}
