using Microsoft.AspNetCore.Http;
using ModelOperator.Packaging.Tests.Infrastructure;
using ModelOperator.Runtime.Packaging;
using ModelOperator.SampleModels;
using ModelOperator.TestSupport;
using Xunit;

namespace ModelOperator.Packaging.Tests;

/// <summary>
/// <c>model-runtime pull/inspect/pack</c> with s3:// against s3rver, run as a user runs them: settings as flags or the
/// AWS_* environment, credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3CliTests(S3Fixture s3)
{
    private static Dictionary<string, string> Credentials(string accessKeyId = S3Server.AccessKeyId) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = accessKeyId, ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretAccessKey,
    };

    private string[] Flags => ["--s3-endpoint", s3.Server.Endpoint, "--s3-force-path-style"];

    [Fact]
    public async Task PullAndInspect_ReadAPackedLayoutUnderAPrefix()
    {
        using var dir = new TempDir();
        using var packages = new Packages(dir);
        var model = SampleModelCatalog.Mlp();
        var packed = await packages.PackAsync(dir.WriteModel("mlp.onnx", model), dir["packed"], name: "mlp", version: "2.1");
        var bucket = await s3.NewBucketAsync("clipull");
        await s3.Server.PutDirectoryAsync(bucket, "packages/mlp", dir["packed"]);
        var cli = new CliRunner(dir["home"], environment: Credentials());

        var pull = await cli.RunAsync(["pull", $"s3://{bucket}/packages/mlp", "-o", dir["pulled"], .. Flags]);
        var inspect = await cli.RunAsync(["inspect", $"s3://{bucket}/packages/mlp", "--json", .. Flags]);

        Assert.True(pull.ExitCode == 0, pull.Stderr);
        Assert.Contains($"Pulled s3://{bucket}/packages/mlp (mlp 2.1, {packed.ManifestDigest})", pull.Stdout);
        Assert.Equal(model, await File.ReadAllBytesAsync(Path.Combine(dir["pulled"], "mlp.onnx")));
        Assert.Equal(packed.ManifestDigest, (await LocalPackage.OpenAsync(dir["pulled"], CancellationToken.None)).ManifestDescriptor.Digest);
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        Assert.Contains($"\"digest\": \"{packed.ManifestDigest}\"", inspect.Stdout);
        Assert.Contains("\"name\": \"mlp\"", inspect.Stdout);
    }

    [Fact]
    public async Task Pack_TakesAnOnnxObject_SettingsFromTheEnvironment()
    {
        using var dir = new TempDir();
        var model = SampleModelCatalog.Mlp();
        var bucket = await s3.NewBucketAsync("clipack");
        await s3.Server.PutAsync(bucket, "exports/classifier.onnx", model);
        var environment = Credentials();
        environment["AWS_ENDPOINT_URL_S3"] = s3.Server.Endpoint;
        environment["MODEL_RUNTIME_S3_FORCE_PATH_STYLE"] = "true";
        var cli = new CliRunner(dir["home"], environment: environment);

        var pack = await cli.RunAsync("pack", $"s3://{bucket}/exports/classifier.onnx", "--name", "classifier", "--version", "1", "-o", dir["packed"]);

        Assert.True(pack.ExitCode == 0, pack.Stderr);
        var package = await LocalPackage.OpenAsync(dir["packed"], CancellationToken.None);
        Assert.Equal(("classifier.onnx", Digest.Of(model)), (package.FileName, package.Layer.Digest));
    }

    [Fact]
    public async Task UnknownAccessKeyFromTheEnvironment_IsNamedInOneLine()
    {
        using var dir = new TempDir();
        var bucket = await s3.NewBucketAsync("clidenied");
        await s3.Server.PutAsync(bucket, "mlp.onnx", SampleModelCatalog.Mlp());
        var cli = new CliRunner(dir["home"], environment: Credentials("AKIAUNKNOWN"));

        var pack = await cli.RunAsync(["pack", $"s3://{bucket}/mlp.onnx", "--name", "mlp", "--version", "1", "-o", dir["packed"], .. Flags]);

        Assert.Equal(1, pack.ExitCode);
        var failure = pack.Stderr.Trim().Split('\n')[^1];
        Assert.StartsWith($"model-runtime pack: access denied to s3://{bucket}/mlp.onnx at {s3.Server.Endpoint}: " +
            "the store does not know access key id AKIAUNKNOWN (from AWS_ACCESS_KEY_ID)", failure);
        Assert.False(Directory.Exists(dir["packed"]));
    }

    [Fact]
    public async Task PullOfAnOnnxFileOrAnEmptyPrefix_SaysItNeedsAPackage()
    {
        using var dir = new TempDir();
        var bucket = await s3.NewBucketAsync("clinopkg");
        var cli = new CliRunner(dir["home"], environment: Credentials());

        var file = await cli.RunAsync(["pull", $"s3://{bucket}/mlp.onnx", "-o", dir["out"], .. Flags]);
        var empty = await cli.RunAsync(["pull", $"s3://{bucket}/nothing-here", "-o", dir["out"], .. Flags]);

        Assert.Contains("is a single ONNX file, not a package", file.Stderr);
        Assert.Contains($"s3://{bucket}/nothing-here holds no packed model: s3://{bucket}/nothing-here/index.json does not exist", empty.Stderr);
        Assert.Equal((1, 1), (file.ExitCode, empty.ExitCode));
        Assert.False(Directory.Exists(dir["out"]));
    }

    [Fact]
    public async Task WithoutAccessKeys_TheWebIdentityOfThePod_IsExchangedForCredentials()
    {
        using var dir = new TempDir();
        var model = SampleModelCatalog.Mlp();
        var bucket = await s3.NewBucketAsync("cliirsa");
        await s3.Server.PutAsync(bucket, "mlp.onnx", model);
        var exchanged = 0;
        // What STS answers AssumeRoleWithWebIdentity (the exchange IRSA makes with the service account's token).
        await using var sts = await LoopbackServer.StartAsync(async context =>
        {
            var form = await context.Request.ReadFormAsync();
            if (form["Action"] == "AssumeRoleWithWebIdentity" && form["WebIdentityToken"] == "projected-token") Interlocked.Increment(ref exchanged);
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync($"""
                <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
                <Credentials><AccessKeyId>{S3Server.AccessKeyId}</AccessKeyId><SecretAccessKey>{S3Server.SecretAccessKey}</SecretAccessKey>
                <SessionToken>session</SessionToken><Expiration>{DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}</Expiration></Credentials>
                <AssumedRoleUser><AssumedRoleId>AROA:model</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/model-reader/model</Arn></AssumedRoleUser>
                </AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>
                """);
        });
        await File.WriteAllTextAsync(dir["token"], "projected-token");
        var cli = new CliRunner(dir["home"], environment: new Dictionary<string, string>
        {
            ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/model-reader", ["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir["token"],
            ["AWS_ENDPOINT_URL_STS"] = $"http://{sts.Host}", ["AWS_REGION"] = "us-east-1",
        });

        var pack = await cli.RunAsync(["pack", $"s3://{bucket}/mlp.onnx", "--name", "mlp", "--version", "1", "-o", dir["packed"], .. Flags]);

        Assert.True(pack.ExitCode == 0, pack.Stderr);
        Assert.Equal(1, exchanged);
        Assert.Contains("web identity of role arn:aws:iam::123456789012:role/model-reader", pack.Stderr);
        Assert.Equal(Digest.Of(model), (await LocalPackage.OpenAsync(dir["packed"], CancellationToken.None)).Layer.Digest);
    }

    [Theory]
    [InlineData("--s3-endpoint", "http://127.0.0.1:9000", "--s3-endpoint applies only to s3:// models")]
    [InlineData("--s3-region", "eu-west-1", "--s3-region applies only to s3:// models")]
    public async Task S3FlagsWithAnotherScheme_AreRefusedNotIgnored(string flag, string value, string expected)
    {
        using var dir = new TempDir();
        var cli = new CliRunner(dir["home"]);

        var pull = await cli.RunAsync("pull", "oci://localhost:5000/models/mlp:1", "-o", dir["out"], flag, value);

        Assert.Equal(2, pull.ExitCode);
        Assert.Contains(expected, pull.Stderr);
    }

    [Fact]
    public async Task MalformedEndpoint_IsAUsageError()
    {
        using var dir = new TempDir();
        var cli = new CliRunner(dir["home"], environment: Credentials());

        var inspect = await cli.RunAsync("inspect", "s3://models/mlp", "--s3-endpoint", "minio:9000");

        Assert.Equal(2, inspect.ExitCode);
        Assert.Contains("the S3 endpoint 'minio:9000' must be an http:// or https:// URL", inspect.Stderr);
    }
}
