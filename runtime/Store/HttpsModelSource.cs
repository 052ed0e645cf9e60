using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store;

/// <summary>
/// A bare ONNX file at an <c>https://</c> URL (or <c>http://</c> with <c>--plain-http</c>), downloaded into the cache and
/// checked against <c>--sha256</c> when given; with a known sha256 already cached, nothing is downloaded.
/// </summary>
internal sealed class HttpsModelSource(ILoggerFactory? loggerFactory = null, ModelCache? cache = null, HttpClient? httpClient = null) : IModelSource
{
    public bool CanResolve(string reference) =>
        reference.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || reference.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    public async Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(reference, UriKind.Absolute, out var uri)) throw new PackageException($"invalid model URL '{reference}'");
        if (uri.Scheme == Uri.UriSchemeHttp && !options.PlainHttp)
            throw new PackageException($"refusing to download '{reference}' over plain http; use https:// or pass --plain-http");
        var expected = NormalizeSha256(options.Sha256);
        var store = cache ?? ModelCache.Default();
        using var ownLogging = loggerFactory is null ? CliLogging.Create() : null;
        var logger = (loggerFactory ?? ownLogging!).CreateLogger("model-runtime.download");
        var name = Path.GetFileNameWithoutExtension(uri.AbsolutePath);
        if (expected is not null && File.Exists(store.BlobPath(expected)) && (await Digest.OfFileAsync(store.BlobPath(expected), cancellationToken)).Digest == expected)
        {
            logger.LogInformation("Found {Url} ({Digest}) in the cache", reference, expected);
            return new ResolvedModel(store.BlobPath(expected), expected, name);
        }

        var http = httpClient ?? RegistryConnection.CreateHttpClient(options.CaFile);
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new PackageException($"downloading {reference}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            var size = response.Content.Headers.ContentLength ?? -1;
            var ingest = Path.Combine(store.Root, "ingest");
            Directory.CreateDirectory(ingest);
            var temp = Path.Combine(ingest, Guid.NewGuid().ToString("N"));
            try
            {
                var progress = ConsoleProgress.ForConsole(logger);
                var bar = progress.Start("Downloading", new OciDescriptor("application/octet-stream", expected ?? reference, size));
                string digest;
                long length;
                await using (var source = await response.Content.ReadAsStreamAsync(cancellationToken))
                await using (var target = File.Create(temp))
                {
                    (digest, length) = await HashingCopy.CopyAsync(source, target, null, bar, cancellationToken);
                }
                progress.Finish(bar);
                if (expected is not null && digest != expected) throw new DigestMismatchException(expected, digest, size, length, reference);
                var path = store.BlobPath(digest);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.Move(temp, path, overwrite: true);
                return new ResolvedModel(path, digest, name);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
        }
        catch (HttpRequestException e)
        {
            throw new PackageException($"downloading {reference}: cannot reach {uri.Authority} ({e.Message})", e);
        }
        finally
        {
            if (httpClient is null) http.Dispose();
        }
    }

    /// <summary>The <c>--sha256</c> value as a <c>sha256:…</c> digest, null when none was given.</summary>
    internal static string? NormalizeSha256(string? sha256)
    {
        if (string.IsNullOrEmpty(sha256)) return null;
        var digest = sha256.StartsWith("sha256:", StringComparison.Ordinal) ? sha256.ToLowerInvariant() : "sha256:" + sha256.ToLowerInvariant();
        return Digest.IsValid(digest) ? digest : throw new PackageException($"--sha256 '{sha256}' is not 64 hex digits");
    }
}
