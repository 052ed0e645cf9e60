using Amazon.Runtime;
using ModelOperator.Runtime.Store.S3;
using ModelOperator.TestSupport;
using Xunit;

namespace ModelOperator.Packaging.Tests.Infrastructure;

/// <summary>One s3rver shared by the tests of the <see cref="S3Collection"/>; each test makes its own bucket.</summary>
public sealed class S3Fixture : IAsyncLifetime
{
    private S3Server? _server;
    private int _buckets;

    public S3Server Server => _server ?? throw new InvalidOperationException("s3rver not started");

    /// <summary>Path-style settings for this server, as a user of MinIO or Ceph would give them.</summary>
    internal S3Settings Settings => new(Server.Endpoint, "us-east-1", ForcePathStyle: true);

    /// <summary>The credentials s3rver knows, or another access key id it does not.</summary>
    internal static AWSCredentials Credentials(string accessKeyId = S3Server.AccessKeyId) => new BasicAWSCredentials(accessKeyId, S3Server.SecretAccessKey);

    /// <summary>A new bucket no other test uses.</summary>
    public async Task<string> NewBucketAsync(string prefix)
    {
        var bucket = $"{prefix}-{Interlocked.Increment(ref _buckets)}";
        await Server.CreateBucketAsync(bucket);
        return bucket;
    }

    public async Task InitializeAsync() => _server = await S3Server.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Fixture>
{
    public const string Name = "s3";
}
