using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Packaging;

/// <summary>
/// A client for one repository of a registry speaking the OCI distribution spec: blob existence, monolithic and
/// chunked uploads, manifest upload and download, blob download. 5xx answers are retried with exponential backoff;
/// a registry that cannot be reached, or answers 4xx, fails at once with a message naming the request.
/// </summary>
internal sealed class OciRegistryClient(HttpClient http, ImageReference reference, RegistryClientOptions options,
    RegistryAuthenticator auth, ILogger logger)
{
    private const string ManifestAccept = MediaTypes.OciManifest + ", " + MediaTypes.OciIndex +
        ", application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

    public ImageReference Reference => reference;

    private Uri BaseUri => new($"{(options.PlainHttp ? "http" : "https")}://{reference.ApiHost}/v2/{reference.Repository}/");

    private string Scope(bool push) => $"repository:{reference.Repository}:{(push ? "pull,push" : "pull")}";

    public static OciRegistryClient Create(HttpClient http, ImageReference reference, RegistryClientOptions options,
        DockerCredentials credentials, ILogger logger) =>
        new(http, reference, options, new RegistryAuthenticator(http, reference.Registry, credentials.For(reference.Registry), credentials.Source), logger);

    public async Task<bool> BlobExistsAsync(string digest, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, new Uri(BaseUri, $"blobs/{digest}")),
            push: true, $"checking blob {digest}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (response.IsSuccessStatusCode) return true;
        throw await RegistryErrors.DescribeAsync(response, $"checking blob {digest} in {reference.Registry}/{reference.Repository}", ct);
    }

    /// <summary>Uploads a blob from a file: in one PUT when small, else in PATCH chunks followed by a closing PUT.</summary>
    public async Task UploadBlobAsync(string path, OciDescriptor blob, ITransferProgress progress, CancellationToken ct)
    {
        var what = $"uploading blob {blob.Digest} to {reference.Registry}/{reference.Repository}";
        var location = await StartUploadAsync(what, ct);
        if (blob.Size <= options.MonolithicLimit)
        {
            using var put = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, blob.Digest))
                {
                    Content = new StreamContent(new ProgressStream(File.OpenRead(path), progress)),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                request.Content.Headers.ContentLength = blob.Size;
                return request;
            }, push: true, what, ct);
            if (put.StatusCode != HttpStatusCode.Created) throw await RegistryErrors.DescribeAsync(put, what, ct);
            return;
        }
        await using var file = File.OpenRead(path);
        var buffer = new byte[options.ChunkSize];
        long offset = 0;
        while (offset < blob.Size)
        {
            var count = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
            if (count == 0) throw new PackageException($"{what}: the file ended after {offset} of {blob.Size} bytes");
            var start = offset;
            var chunkLocation = location;
            using var patch = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Patch, chunkLocation) { Content = new ByteArrayContent(buffer, 0, count) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + count - 1}");
                return request;
            }, push: true, what, ct);
            if (patch.StatusCode != HttpStatusCode.Accepted) throw await RegistryErrors.DescribeAsync(patch, what, ct);
            location = Location(patch, what);
            offset += count;
            progress.Advance(count);
        }
        using var close = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, WithDigest(location, blob.Digest))
        {
            Content = new ByteArrayContent([]),
        }, push: true, what, ct);
        if (close.StatusCode != HttpStatusCode.Created) throw await RegistryErrors.DescribeAsync(close, what, ct);
    }

    /// <summary>Uploads a manifest under a tag or its digest and returns the digest the registry reports.</summary>
    public async Task<string> PutManifestAsync(byte[] manifest, string mediaType, string tagOrDigest, CancellationToken ct)
    {
        var what = $"uploading the manifest to {reference.Registry}/{reference.Repository}:{tagOrDigest}";
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, new Uri(BaseUri, $"manifests/{tagOrDigest}")) { Content = new ByteArrayContent(manifest) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return request;
        }, push: true, what, ct);
        if (response.StatusCode != HttpStatusCode.Created) throw await RegistryErrors.DescribeAsync(response, what, ct);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : Digest.Of(manifest);
    }

    /// <summary>Downloads a manifest (at most 4 MiB) and returns its bytes and media type.</summary>
    public async Task<(byte[] Bytes, string MediaType, string? RegistryDigest)> GetManifestAsync(string tagOrDigest, CancellationToken ct)
    {
        var what = $"fetching manifest {reference.Registry}/{reference.Repository}{(tagOrDigest.StartsWith("sha256:") ? "@" : ":")}{tagOrDigest}";
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, $"manifests/{tagOrDigest}"));
            request.Headers.TryAddWithoutValidation("Accept", ManifestAccept);
            return request;
        }, push: false, what, ct);
        if (!response.IsSuccessStatusCode) throw await RegistryErrors.DescribeAsync(response, what, ct);
        if (response.Content.Headers.ContentLength > 4 << 20) throw new PackageException($"{what}: the manifest is larger than 4 MiB");
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        var registryDigest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null;
        return (bytes, mediaType, registryDigest);
    }

    /// <summary>Opens a blob download; the caller streams and verifies it.</summary>
    public async Task<HttpResponseMessage> GetBlobAsync(string digest, CancellationToken ct)
    {
        var what = $"downloading blob {digest} from {reference.Registry}/{reference.Repository}";
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, $"blobs/{digest}")), push: false, what, ct);
        if (response.IsSuccessStatusCode) return response;
        using (response) throw await RegistryErrors.DescribeAsync(response, what, ct);
    }

    private async Task<Uri> StartUploadAsync(string what, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri, "blobs/uploads/"))
        {
            Content = new ByteArrayContent([]),
        }, push: true, what, ct);
        if (response.StatusCode != HttpStatusCode.Accepted) throw await RegistryErrors.DescribeAsync(response, what, ct);
        return Location(response, what);
    }

    private Uri Location(HttpResponseMessage response, string what)
    {
        var location = response.Headers.Location ?? throw new PackageException($"{what}: the registry sent no upload Location");
        return location.IsAbsoluteUri ? location : new Uri(new Uri(BaseUri.GetLeftPart(UriPartial.Authority)), location);
    }

    private static Uri WithDigest(Uri location, string digest)
    {
        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        return new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest));
    }

    /// <summary>Sends with auth and retries: one more try after answering a 401 challenge, and backoff retries on 5xx.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, bool push, string what, CancellationToken ct)
    {
        var challenged = false;
        for (var attempt = 0; ; attempt++)
        {
            using var request = make();
            auth.Apply(request);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException e)
            {
                throw new PackageException($"{what}: cannot reach registry {reference.Registry} ({e.Message}); check the address and that the registry is running", e);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new PackageException($"{what}: registry {reference.Registry} did not answer within {http.Timeout.TotalSeconds:F0} s", e);
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                try
                {
                    await auth.AnswerChallengeAsync(response, Scope(push), challenged, ct);
                }
                finally
                {
                    response.Dispose();
                }
                challenged = true;
                attempt--;
                continue;
            }
            if ((int)response.StatusCode >= 500 && attempt < options.MaxRetries)
            {
                var delay = options.BaseDelay * Math.Pow(2, attempt);
                logger.LogWarning("Registry answered {Status} while {What}; retrying in {DelayMs} ms ({Attempt}/{MaxRetries})",
                    (int)response.StatusCode, what, (int)delay.TotalMilliseconds, attempt + 1, options.MaxRetries);
                response.Dispose();
                await Task.Delay(delay, ct);
                continue;
            }
            return response;
        }
    }
}
