using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Store;
using ModelOperator.Runtime.Store.S3;
using ModelOperator.SampleModels;
using ModelOperator.TestSupport;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>
/// <c>serve --model s3://…</c> against a real S3-compatible server (s3rver): one ONNX object, or a packed layout under a
/// prefix, downloaded verified into the cache; every failure names its cause and leaves nothing behind.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3SourceTests(S3Fixture s3)
{
    [Fact]
    public async Task SingleOnnxObject_IsDownloadedVerified_AndTheSecondResolveComesFromTheCache()
    {
        using var dir = new TempDir();
        var model = SampleModelCatalog.Mlp();
        var bucket = await s3.NewBucketAsync("single");
        await s3.Server.PutAsync(bucket, "models/mlp.onnx", model);
        var cache = new ModelCache(dir["cache"]);
        var source = new S3ModelSource(NullLoggerFactory.Instance, cache, S3Fixture.Credentials());
        var sha256 = Digest.Hex(Digest.Of(model));
        var options = new ModelSourceOptions(Sha256: sha256, S3: s3.Settings);

        var first = await source.ResolveAsync($"s3://{bucket}/models/mlp.onnx", options, CancellationToken.None);
        // The object is gone: a second start with the same digest must not need the store.
        using (var client = s3.Server.Client()) await client.DeleteObjectAsync(bucket, "models/mlp.onnx");
        var second = await source.ResolveAsync($"s3://{bucket}/models/mlp.onnx", options, CancellationToken.None);

        Assert.Equal(model, await File.ReadAllBytesAsync(first.OnnxPath));
        Assert.StartsWith(cache.Root, first.OnnxPath);
        Assert.Equal(("sha256:" + sha256, "mlp"), (first.Digest, first.Name));
        Assert.Equal(first.OnnxPath, second.OnnxPath);
        Assert.Contains(ModelSources.Default(), s => s is S3ModelSource && s.CanResolve($"s3://{bucket}/models/mlp.onnx"));
    }

    [Fact]
    public async Task PackedLayoutUnderAPrefix_ServesItsModelWithNameVersionAndManifestDigest()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var original = SampleModelCatalog.MnistCnn();
        var packed = await packages.PackAsync(dir.WriteModel("mnist.onnx", original), dir["packed"], name: "mnist", version: "3");
        var bucket = await s3.NewBucketAsync("layout");
        await s3.Server.PutDirectoryAsync(bucket, "teams/vision/mnist", dir["packed"]);
        var source = new S3ModelSource(NullLoggerFactory.Instance, packages.Cache, S3Fixture.Credentials());

        var resolved = await source.ResolveAsync($"s3://{bucket}/teams/vision/mnist", new ModelSourceOptions(S3: s3.Settings), CancellationToken.None);
        var withSlash = await source.ResolveAsync($"s3://{bucket}/teams/vision/mnist/", new ModelSourceOptions(S3: s3.Settings), CancellationToken.None);

        Assert.Equal(original, await File.ReadAllBytesAsync(resolved.OnnxPath));
        Assert.StartsWith(packages.Cache.Root, resolved.OnnxPath);
        Assert.Equal((packed.ManifestDigest, "mnist", "3"), (resolved.Digest, resolved.Name, resolved.Version));
        Assert.Equal(resolved.OnnxPath, withSlash.OnnxPath);
    }

    [Fact]
    public async Task UnknownAccessKeyId_IsRefusedNamingTheKey()
    {
        using var dir = new TempDir();
        var bucket = await s3.NewBucketAsync("denied");
        await s3.Server.PutAsync(bucket, "mlp.onnx", SampleModelCatalog.Mlp());
        var source = new S3ModelSource(NullLoggerFactory.Instance, new ModelCache(dir["cache"]), S3Fixture.Credentials("AKIANOBODYKNOWS"));

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            source.ResolveAsync($"s3://{bucket}/mlp.onnx", new ModelSourceOptions(S3: s3.Settings), CancellationToken.None));

        Assert.Contains("access denied", error.Message);
        Assert.Contains("access key id AKIANOBODYKNOWS", error.Message);
        Assert.Contains($"s3://{bucket}/mlp.onnx", error.Message);
        Assert.DoesNotContain(Leftovers.In(dir["cache"]), File.Exists);
    }

    [Fact]
    public async Task MissingObject_IsNamedWithItsBucketAndKey()
    {
        using var dir = new TempDir();
        var bucket = await s3.NewBucketAsync("nokey");
        var source = new S3ModelSource(NullLoggerFactory.Instance, new ModelCache(dir["cache"]), S3Fixture.Credentials());

        var file = await Assert.ThrowsAsync<PackageException>(() =>
            source.ResolveAsync($"s3://{bucket}/models/absent.onnx", new ModelSourceOptions(S3: s3.Settings), CancellationToken.None));
        var prefix = await Assert.ThrowsAsync<PackageException>(() =>
            source.ResolveAsync($"s3://{bucket}/models/absent", new ModelSourceOptions(S3: s3.Settings), CancellationToken.None));

        Assert.Equal($"no such key 'models/absent.onnx' in bucket '{bucket}' at {s3.Server.Endpoint}", file.Message);
        Assert.Contains("no such key 'models/absent'", prefix.Message);
        Assert.Contains("models/absent/index.json", prefix.Message);
        Assert.DoesNotContain(Leftovers.In(dir["cache"]), File.Exists);
    }

    [Fact]
    public async Task MissingBucket_IsNamed()
    {
        using var dir = new TempDir();
        var source = new S3ModelSource(NullLoggerFactory.Instance, new ModelCache(dir["cache"]), S3Fixture.Credentials());

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            source.ResolveAsync("s3://no-such-bucket/mlp.onnx", new ModelSourceOptions(S3: s3.Settings), CancellationToken.None));

        Assert.Equal($"no such bucket 'no-such-bucket' at {s3.Server.Endpoint} (reading mlp.onnx)", error.Message);
    }

    [Fact]
    public async Task WrongSha256_IsRefusedAndNothingIsCached()
    {
        using var dir = new TempDir();
        var model = SampleModelCatalog.Mlp();
        var bucket = await s3.NewBucketAsync("digest");
        await s3.Server.PutAsync(bucket, "mlp.onnx", model);
        var cache = new ModelCache(dir["cache"]);
        var source = new S3ModelSource(NullLoggerFactory.Instance, cache, S3Fixture.Credentials());
        var wrong = new string('a', 64);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() =>
            source.ResolveAsync($"s3://{bucket}/mlp.onnx", new ModelSourceOptions(Sha256: wrong, S3: s3.Settings), CancellationToken.None));

        Assert.Equal(("sha256:" + wrong, Digest.Of(model)), (error.Expected, error.Actual));
        Assert.Contains($"s3://{bucket}/mlp.onnx", error.Message);
        Assert.DoesNotContain(Leftovers.In(cache.Root), File.Exists);
    }

    [Fact]
    public async Task WrongSha256ForAPackage_IsRefusedBeforeItsModelIsDownloaded()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var model = SampleModelCatalog.Mlp();
        await packages.PackAsync(dir.WriteModel("mlp.onnx", model), dir["packed"]);
        var bucket = await s3.NewBucketAsync("pkgdigest");
        await s3.Server.PutDirectoryAsync(bucket, "mlp", dir["packed"]);
        var source = new S3ModelSource(NullLoggerFactory.Instance, packages.Cache, S3Fixture.Credentials());
        var wrong = new string('b', 64);

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            source.ResolveAsync($"s3://{bucket}/mlp", new ModelSourceOptions(Sha256: wrong, S3: s3.Settings), CancellationToken.None));

        Assert.Contains($"--sha256 sha256:{wrong} does not match the package at s3://{bucket}/mlp", error.Message);
        Assert.Contains(Digest.Of(model), error.Message);
        Assert.DoesNotContain(Leftovers.In(packages.Cache.Root), File.Exists);
    }

    [Fact]
    public async Task TamperedPackageBlob_IsRefusedAndNothingIsCached()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        await packages.PackAsync(dir.WriteModel("mlp.onnx", SampleModelCatalog.Mlp()), dir["packed"]);
        var layer = (await LocalPackage.OpenAsync(dir["packed"], CancellationToken.None)).Layer;
        var blob = Path.Combine(dir["packed"], "blobs", "sha256", Digest.Hex(layer.Digest));
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[^1] ^= 0x01;
        File.Delete(blob); // the model file beside it is a hard link to the same bytes
        await File.WriteAllBytesAsync(blob, bytes);
        var bucket = await s3.NewBucketAsync("tamper");
        await s3.Server.PutDirectoryAsync(bucket, "mlp", dir["packed"]);
        var source = new S3ModelSource(NullLoggerFactory.Instance, packages.Cache, S3Fixture.Credentials());

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() =>
            source.ResolveAsync($"s3://{bucket}/mlp", new ModelSourceOptions(S3: s3.Settings), CancellationToken.None));

        Assert.Equal(layer.Digest, error.Expected);
        Assert.DoesNotContain(Leftovers.In(packages.Cache.Root), File.Exists);
    }

    [Fact]
    public async Task UnreachableEndpoint_IsNamed()
    {
        using var dir = new TempDir();
        var endpoint = $"http://127.0.0.1:{FreePort.Closed()}";
        var source = new S3ModelSource(NullLoggerFactory.Instance, new ModelCache(dir["cache"]), S3Fixture.Credentials());

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            source.ResolveAsync("s3://models/mlp.onnx", new ModelSourceOptions(S3: new S3Settings(endpoint, null, true)), CancellationToken.None));

        Assert.StartsWith($"cannot reach the S3 endpoint {endpoint} for s3://models/mlp.onnx", error.Message);
        Assert.Contains("Connection refused", error.Message);
    }

    [Fact]
    public async Task WrongRegion_SaysWhichRegionWasUsedAndHowToSetIt()
    {
        using var dir = new TempDir();
        // What AWS answers a request signed for another region than the bucket's (S3 REST API, error responses).
        await using var aws = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AuthorizationHeaderMalformed</Code>" +
                "<Message>The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message>" +
                "<Region>eu-west-1</Region><RequestId>1</RequestId></Error>");
        });
        var source = new S3ModelSource(NullLoggerFactory.Instance, new ModelCache(dir["cache"]), S3Fixture.Credentials());

        var error = await Assert.ThrowsAsync<PackageException>(() =>
            source.ResolveAsync("s3://models/mlp.onnx", new ModelSourceOptions(S3: new S3Settings($"http://{aws.Host}", null, true)), CancellationToken.None));

        Assert.StartsWith("wrong region for bucket 'models': requests were signed for us-east-1", error.Message);
        Assert.Contains("expecting 'eu-west-1'", error.Message);
        Assert.Contains("spec.model.s3.region", error.Message);
    }

    [Fact]
    public async Task TlsEndpointWithAPrivateCa_IsTrustedOnlyWithCaFile()
    {
        using var dir = new TempDir();
        var ca = await TestCertificateAuthority.CreateAsync(dir["pki"]);
        await using var server = await S3Server.StartAsync(["models"], (ca.ServerCertificateFile, ca.ServerKeyFile));
        var model = SampleModelCatalog.Mlp();
        await server.PutAsync("models", "mlp.onnx", model);
        var source = new S3ModelSource(NullLoggerFactory.Instance, new ModelCache(dir["cache"]), S3Fixture.Credentials());
        var settings = new S3Settings(server.Endpoint, null, ForcePathStyle: true);

        var untrusted = await Assert.ThrowsAsync<PackageException>(() =>
            source.ResolveAsync("s3://models/mlp.onnx", new ModelSourceOptions(S3: settings), CancellationToken.None));
        var trusted = await source.ResolveAsync("s3://models/mlp.onnx", new ModelSourceOptions(CaFile: ca.CaCertificateFile, S3: settings), CancellationToken.None);

        Assert.StartsWith($"cannot reach the S3 endpoint {server.Endpoint} for s3://models/mlp.onnx (SecureConnectionError", untrusted.Message);
        Assert.Equal(model, await File.ReadAllBytesAsync(trusted.OnnxPath));
    }

    [Theory]
    [InlineData("s3://ab/model.onnx", "the bucket name 'ab'")]
    [InlineData("s3://Models/model.onnx", "the bucket name 'Models'")]
    [InlineData("s3://models", "names no object")]
    [InlineData("s3://models/", "names no object")]
    public void MalformedReference_IsRefusedSayingWhy(string reference, string expected)
    {
        var error = Assert.Throws<PackageException>(() => S3Location.Parse(reference));

        Assert.Contains(expected, error.Message);
    }
}
