using System.CommandLine;
using ModelOperator.Runtime.Store.S3;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary>
/// <c>--s3-endpoint</c>, <c>--s3-region</c> and <c>--s3-force-path-style</c>, shared by every command that reads
/// s3:// models; each absent flag falls back to its environment variable (<see cref="S3Settings"/>).
/// </summary>
internal sealed class S3CliOptions
{
    private readonly Option<string> _endpoint = Text("--s3-endpoint",
        $"The S3 endpoint of an S3-compatible store, for s3:// models (default: env {string.Join(", ", S3Settings.EndpointVariables)}, else AWS)", "URL");
    private readonly Option<string> _region = Text("--s3-region",
        $"The S3 bucket's region, for s3:// models (default: env {string.Join(", ", S3Settings.RegionVariables)})", "REGION");
    private readonly Option<bool> _forcePathStyle = Flag("--s3-force-path-style",
        $"Address S3 buckets as endpoint/bucket rather than bucket.endpoint, as most S3-compatible stores need (default: env {S3Settings.ForcePathStyleVariable})");

    public IEnumerable<Option> All => [_endpoint, _region, _forcePathStyle];

    /// <summary>
    /// The settings the command line and the environment give for <paramref name="reference"/>; null when it is not an
    /// s3:// reference, where the flags are refused rather than ignored.
    /// </summary>
    public S3Settings? Settings(ParseResult result, string reference, Func<string, string?>? environment = null)
    {
        if (!S3Location.IsS3(reference))
        {
            if (All.FirstOrDefault(o => result.GetResult(o) is { Implicit: false }) is { } given)
                throw new CliUsageException($"{given.Name} applies only to s3:// models, not '{reference}'");
            return null;
        }
        try
        {
            return S3Settings.From(result.GetValue(_endpoint), result.GetValue(_region), result.GetValue(_forcePathStyle), environment);
        }
        catch (Packaging.PackageException e)
        {
            throw new CliUsageException(e.Message);
        }
    }
}
