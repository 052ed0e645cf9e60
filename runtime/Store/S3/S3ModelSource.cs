using Microsoft.Extensions.Logging;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store.S3;

/// <summary>
/// A model in S3 or an S3-compatible store, <c>s3://bucket/key</c>: one ONNX object, or a prefix holding a packed OCI
/// layout. Downloads go through the digest-keyed cache, verified while streaming (the file against <c>--sha256</c>, a
/// package's blobs against their digests); an ETag is never taken for a digest. A failed download leaves nothing.
/// </summary>
internal sealed class S3ModelSource(ILoggerFactory? loggerFactory = null, ModelCache? cache = null, Amazon.Runtime.AWSCredentials? credentials = null) : IModelSource
{
    public bool CanResolve(string reference) => S3Location.IsS3(reference);

    public async Task<ResolvedModel> ResolveAsync(string reference, ModelSourceOptions options, CancellationToken cancellationToken)
    {
        var location = S3Location.Parse(reference);
        if (options.PlainHttp) throw S3Settings.PlainHttpRefused();
        var expected = HttpsModelSource.NormalizeSha256(options.Sha256);
        var store = cache ?? ModelCache.Default();
        using var ownLogging = loggerFactory is null ? CliLogging.Create() : null;
        var logger = (loggerFactory ?? ownLogging!).CreateLogger("model-runtime.download");
        if (location.IsOnnxFile && expected is not null && File.Exists(store.BlobPath(expected))
            && (await Digest.OfFileAsync(store.BlobPath(expected), cancellationToken)).Digest == expected)
        {
            logger.LogInformation("Found {Reference} ({Digest}) in the cache", reference, expected);
            return new ResolvedModel(store.BlobPath(expected), expected, location.ModelName);
        }

        using var objects = await S3ObjectStore.ConnectAsync(options.S3 ?? S3Settings.From(null, null, false), cancellationToken, credentials, options.CaFile);
        logger.LogInformation("Fetching {Reference} from {Endpoint} as {Identity}", reference, objects.Settings.Describe(), objects.Identity);
        if (!location.IsOnnxFile && await S3Package.TryReadAsync(objects, location, cancellationToken) is { } package)
            return await FromPackageAsync(objects, package, store, expected, logger, cancellationToken);
        return await DownloadFileAsync(objects, location, store, expected, logger, cancellationToken);
    }

    /// <summary>The package's ONNX file, its sha256 checked against <paramref name="expected"/> before the layer is downloaded.</summary>
    private static async Task<ResolvedModel> FromPackageAsync(S3ObjectStore objects, S3Package package, ModelCache store, string? expected,
        ILogger logger, CancellationToken ct)
    {
        if (expected is not null && package.ModelSha256 != expected)
            throw new PackageException($"--sha256 {expected} does not match {package.Where}: its ONNX file's sha256 is {package.ModelSha256}");
        var (modelPath, _, _) = await package.FetchModelAsync(objects, store, ConsoleProgress.ForConsole(logger), ct);
        logger.LogInformation("Fetched {Reference} ({Digest}): {Name} {Version}", package.Location, package.ManifestDescriptor.Digest,
            package.Config.Descriptor.Name, package.Config.Descriptor.Version);
        return new ResolvedModel(modelPath, package.ManifestDescriptor.Digest, package.Config.Descriptor.Name, package.Config.Descriptor.Version,
            package.Config.Config.InputShapes);
    }

    private static async Task<ResolvedModel> DownloadFileAsync(S3ObjectStore objects, S3Location location, ModelCache store, string? expected,
        ILogger logger, CancellationToken ct)
    {
        using var response = await objects.GetAsync(location.Bucket, location.Key, missingIsNull: !location.IsOnnxFile, ct)
            ?? throw new PackageException($"no such key '{location.Key}' in bucket '{location.Bucket}' at {objects.Settings.Describe()}: " +
                $"neither an ONNX object nor a prefix holding a packed layout ({location.LayoutKey("index.json")} is missing too)");
        var ingest = Path.Combine(store.Root, "ingest");
        Directory.CreateDirectory(ingest);
        var temp = Path.Combine(ingest, Guid.NewGuid().ToString("N"));
        try
        {
            var progress = ConsoleProgress.ForConsole(logger);
            var bar = progress.Start("Downloading", new OciDescriptor("application/octet-stream", expected ?? Path.GetFileName(location.Key), response.ContentLength));
            string digest;
            long length;
            try
            {
                await using var source = response.ResponseStream;
                await using var target = File.Create(temp);
                (digest, length) = await HashingCopy.CopyAsync(source, target, null, bar, ct, location.ToString());
            }
            catch (IOException e) when (e is not PathTooLongException)
            {
                throw objects.Explain(e, location.Bucket, location.Key);
            }
            progress.Finish(bar);
            if (expected is not null && digest != expected) throw new DigestMismatchException(expected, digest, response.ContentLength, length, location.ToString());
            var path = store.BlobPath(digest);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(temp, path, overwrite: true);
            return new ResolvedModel(path, digest, location.ModelName);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
