using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// Extra certificate authorities trusted for registries and model downloads, beside the system's: a PEM bundle from
/// <c>--ca-file</c> or the environment variable <see cref="EnvironmentVariable"/> (what the operator mounts from
/// <c>spec.model.caBundle</c>). A server certificate passes when the system trusts it, or when it chains to one of
/// these authorities and names the host; the host name check is never relaxed.
/// </summary>
internal sealed class RegistryTrust
{
    /// <summary>The environment variable naming a PEM CA bundle when <c>--ca-file</c> is not given.</summary>
    public const string EnvironmentVariable = "MODEL_RUNTIME_CA_FILE";

    private readonly X509Certificate2Collection _authorities;

    private RegistryTrust(X509Certificate2Collection authorities) => _authorities = authorities;

    /// <summary>The bundle at <paramref name="caFile"/>, else the one the environment names, else null (the system's trust only).</summary>
    public static RegistryTrust? Load(string? caFile)
    {
        var path = string.IsNullOrEmpty(caFile) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : caFile;
        if (string.IsNullOrEmpty(path)) return null;
        if (!File.Exists(path)) throw new PackageException($"CA bundle '{path}' does not exist (from --ca-file or {EnvironmentVariable})");
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new PackageException($"CA bundle '{path}' is not a PEM file of certificates: {e.Message}", e);
        }
        if (authorities.Count == 0) throw new PackageException($"CA bundle '{path}' holds no PEM certificate");
        return new RegistryTrust(authorities);
    }

    /// <summary>The validation callback for <see cref="SslClientAuthenticationOptions"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? systemChain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        // A wrong host name or a missing certificate is refused whoever signed it.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (systemChain is not null)
            foreach (var element in systemChain.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }
}
