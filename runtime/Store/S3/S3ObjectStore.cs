using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Amazon.S3.Model;
using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Store.S3;

/// <summary>
/// Reads objects through the AWS SDK (<c>AWSSDK.S3</c>, which signs every request), turning each failure into a
/// message that names the problem: no such bucket, no such key, access denied (and for which access key), wrong
/// region, endpoint unreachable, no credentials.
/// </summary>
internal sealed class S3ObjectStore : IDisposable
{
    private readonly AmazonS3Client _client;

    /// <summary>Who the requests are made as, for messages: the access key id and where it came from.</summary>
    public string Identity { get; }

    public S3Settings Settings { get; }

    private S3ObjectStore(AmazonS3Client client, string identity, S3Settings settings)
    {
        _client = client;
        Identity = identity;
        Settings = settings;
    }

    /// <summary>
    /// Resolves credentials through the SDK's default chain (unless <paramref name="credentials"/> are given) and builds
    /// a client for <paramref name="settings"/>, trusting the CAs of <paramref name="caFile"/> beside the system's.
    /// </summary>
    public static async Task<S3ObjectStore> ConnectAsync(S3Settings settings, CancellationToken ct, AWSCredentials? credentials = null, string? caFile = null)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.ForcePathStyle,
            MaxErrorRetry = 2,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (caFile is not null) config.HttpClientFactory = new TrustingHttpClientFactory(caFile);
        if (settings.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = settings.EffectiveRegion;
        }
        else if (settings.Region is { } region) config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        else if (FallbackRegionFactory.GetRegionEndpoint() is null)
            throw new PackageException("no S3 region is set: pass --s3-region, set AWS_REGION, or set spec.model.s3.region to the bucket's region");

        try
        {
            credentials ??= await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(config);
        }
        catch (AmazonClientException e)
        {
            throw new PackageException("no AWS credentials found for S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
                "(spec.model.s3.credentialsSecret), or give the pod an identity (IRSA web identity, instance profile); " +
                $"the SDK says: {FirstLine(e.Message)}", e);
        }
        var identity = await DescribeAsync(credentials);
        return new S3ObjectStore(new AmazonS3Client(credentials, config), identity, settings);
    }

    /// <summary>
    /// Opens an object for reading; null when the key does not exist and <paramref name="missingIsNull"/> is set.
    /// The caller disposes the response.
    /// </summary>
    public async Task<GetObjectResponse?> GetAsync(string bucket, string key, bool missingIsNull, CancellationToken ct)
    {
        try
        {
            return await _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, ct);
        }
        catch (AmazonS3Exception e) when (missingIsNull && e.ErrorCode == "NoSuchKey")
        {
            return null;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or SocketException)
        {
            throw Explain(e, bucket, key);
        }
    }

    /// <summary>A failure to read <c>s3://bucket/key</c> as one line saying what went wrong and what to check.</summary>
    public PackageException Explain(Exception e, string bucket, string key)
    {
        var where = $"s3://{bucket}/{key} at {Settings.Describe()}";
        if (Unreachable(e) is { } network)
            return new PackageException($"cannot reach the S3 endpoint {Settings.Describe()} for s3://{bucket}/{key} ({network}); " +
                "check --s3-endpoint / spec.model.s3.endpoint and that the store is running", e);
        if (e is not AmazonServiceException service)
            return new PackageException($"reading {where} failed: {FirstLine(e.Message)}", e);
        var said = FirstLine(service.Message);
        var message = service.ErrorCode switch
        {
            "NoSuchBucket" => $"no such bucket '{bucket}' at {Settings.Describe()} (reading {key})",
            "NoSuchKey" => $"no such key '{key}' in bucket '{bucket}' at {Settings.Describe()}",
            "InvalidAccessKeyId" => $"access denied to {where}: the store does not know {Identity} ({said})",
            "SignatureDoesNotMatch" => $"access denied to {where}: the secret access key does not match {Identity}",
            "ExpiredToken" or "InvalidToken" or "TokenRefreshRequired" => $"access denied to {where}: the session token of {Identity} is expired or invalid ({said})",
            "AccessDenied" or "AllAccessDisabled" => $"access denied to {where} for {Identity} ({said})",
            "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException" or "IncorrectEndpoint" =>
                $"wrong region for bucket '{bucket}': requests were signed for {Settings.EffectiveRegion ?? "the SDK's default region"}, " +
                $"but the store says: {said}; set --s3-region / spec.model.s3.region to the bucket's region",
            _ when service.StatusCode == HttpStatusCode.MovedPermanently =>
                $"wrong region for bucket '{bucket}': the store redirects requests signed for {Settings.EffectiveRegion ?? "the SDK's default region"} elsewhere; " +
                "set --s3-region / spec.model.s3.region to the bucket's region",
            _ when service.StatusCode == HttpStatusCode.Forbidden => $"access denied to {where} for {Identity} ({service.ErrorCode}: {said})",
            _ when service.StatusCode == HttpStatusCode.NotFound => $"not found: {where} ({service.ErrorCode}: {said})",
            _ => $"reading {where} failed: the store answered {(int)service.StatusCode} {service.ErrorCode}: {said}",
        };
        return new PackageException(message, e);
    }

    public void Dispose() => _client.Dispose();

    private static async Task<string> DescribeAsync(AWSCredentials credentials)
    {
        var source = credentials switch
        {
            EnvironmentVariablesAWSCredentials => "from AWS_ACCESS_KEY_ID",
            BasicAWSCredentials => "given to the client",
            AssumeRoleWithWebIdentityCredentials => $"web identity of role {Environment.GetEnvironmentVariable("AWS_ROLE_ARN")}",
            _ => credentials.GetType().Name,
        };
        try
        {
            var resolved = await credentials.GetCredentialsAsync();
            return $"access key id {resolved.AccessKey} ({source})";
        }
        catch (AmazonClientException e)
        {
            throw new PackageException($"the AWS credentials ({source}) could not be loaded: {FirstLine(e.Message)}", e);
        }
    }

    private static string? Unreachable(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket) return $"{socket.SocketErrorCode}: {socket.Message}";
            if (inner is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http) return $"{http.HttpRequestError}: {FirstLine(http.Message)}";
            if (inner is TaskCanceledException or TimeoutException) return "timed out";
        }
        return null;
    }

    /// <summary>The SDK's HTTP client with extra CAs trusted, as the registry and https:// clients trust them (<c>--ca-file</c>).</summary>
    private sealed class TrustingHttpClientFactory(string caFile) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => RegistryConnection.CreateHttpClient(caFile);
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
