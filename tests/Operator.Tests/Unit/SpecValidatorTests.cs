using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Tests.Unit;

public sealed class SpecValidatorTests
{
    public static TheoryData<string, Action<ModelDeploymentSpec>, string?> Cases => new()
    {
        { "valid sample", _ => { }, null },
        { "https model", s => s.Model.Uri = "https://models.example/resnet.onnx", null },
        { "pvc model", s => s.Model.Uri = "pvc://models/resnet/model.onnx", null },
        { "file model", s => s.Model.Uri = "file:///models/resnet.onnx", null },
        { "unknown scheme", s => s.Model.Uri = "gs://bucket/model.onnx", "spec.model.uri 'gs://bucket/model.onnx'" },
        { "s3 object", s => s.Model.Uri = "s3://models/vision/resnet.onnx", null },
        { "s3 prefix with settings", s => { s.Model.Uri = "s3://models/vision/resnet"; s.Model.S3 = new S3Spec { Endpoint = "https://minio.storage:9000", Region = "eu-west-1", ForcePathStyle = true, CredentialsSecret = "minio-cred" }; }, null },
        { "s3 without a key", s => s.Model.Uri = "s3://models", "spec.model.uri 's3://models'" },
        { "s3 bucket in capitals", s => s.Model.Uri = "s3://Models/m.onnx", "spec.model.uri 's3://Models/m.onnx'" },
        { "s3 settings for oci", s => s.Model.S3 = new S3Spec { Region = "eu-west-1" }, "spec.model.s3 applies only to s3:// models" },
        { "s3 endpoint not a url", s => { s.Model.Uri = "s3://models/m.onnx"; s.Model.S3 = new S3Spec { Endpoint = "minio:9000" }; }, "spec.model.s3.endpoint 'minio:9000' must be an http:// or https:// URL" },
        { "ca bundle for s3", s => { s.Model.Uri = "s3://models/m.onnx"; s.Model.CaBundle = new CaBundleSource { ConfigMap = "ca" }; }, null },
        { "pull secret for s3", s => { s.Model.Uri = "s3://models/m.onnx"; s.Model.PullSecret = "regcred"; }, "spec.model.pullSecret applies only to oci://" },
        { "s3 credentials also in env", s => { s.Model.Uri = "s3://models/m.onnx"; s.Model.S3 = new S3Spec { CredentialsSecret = "cred" }; s.Runtime!.Env = [new k8s.Models.V1EnvVar { Name = "AWS_SECRET_ACCESS_KEY", Value = "x" }]; },
            "spec.runtime.env sets AWS_SECRET_ACCESS_KEY, which spec.model.s3.credentialsSecret provides" },
        { "empty uri", s => s.Model.Uri = "", "spec.model.uri is required" },
        { "short digest", s => s.Model.Digest = "sha256:abc", "spec.model.digest 'sha256:abc'" },
        { "digest contradicts uri", s => { s.Model.Uri = "oci://r/m@sha256:" + new string('a', 64); s.Model.Digest = "sha256:" + new string('b', 64); }, "contradicts" },
        { "min above max", s => s.Replicas = new ReplicasSpec { Min = 5, Max = 2 }, "spec.replicas.min 5 exceeds spec.replicas.max 2" },
        { "min equals max", s => s.Replicas = new ReplicasSpec { Min = 3, Max = 3 }, null },
        { "cuda without gpu", s => { s.Runtime!.Device = "cuda"; s.Gpu = null; }, "device is cuda but spec.gpu.count is 0" },
        { "cpu with gpu", s => s.Gpu = new GpuSpec { Count = 1 }, "device is cpu but spec.gpu.count is 1" },
        { "cuda with gpu", s => { s.Runtime!.Device = "cuda"; s.Gpu = new GpuSpec { Count = 1 }; }, null },
        { "bad window", s => s.Autoscaling = new AutoscalingSpec { TargetMs = 50, Window = "5 minutes" }, "spec.autoscaling.window '5 minutes'" },
        { "compound duration", s => s.Autoscaling = new AutoscalingSpec { TargetMs = 50, Window = "1m30s" }, null },
        { "prometheus without url", s => s.Autoscaling = new AutoscalingSpec { TargetMs = 50, Source = "prometheus" }, "prometheusUrl is required" },
        { "weights not increasing", s => s.Rollout = new RolloutSpec { Steps = [new() { Weight = 50 }, new() { Weight = 20 }] }, "steps[1].weight 20 must be greater" },
        { "both p95 limits", s => s.Rollout = new RolloutSpec { Analysis = new AnalysisSpec { MaxP95Ms = 10, MaxP95Ratio = 1.2 } }, "not both" },
        { "error rate above 1", s => s.Rollout = new RolloutSpec { Analysis = new AnalysisSpec { MaxErrorRate = 1.5 } }, "maxErrorRate 1.5" },
        { "private oci registry", s => { s.Model.PullSecret = "regcred"; s.Model.CaBundle = new CaBundleSource { ConfigMap = "registry-ca" }; }, null },
        { "in-cluster registry without tls", s => s.Model.PlainHttp = true, null },
        { "pull secret for https", s => { s.Model.Uri = "https://models.example/m.onnx"; s.Model.PullSecret = "regcred"; }, "spec.model.pullSecret applies only to oci://" },
        { "plain http for pvc", s => { s.Model.Uri = "pvc://models/m.onnx"; s.Model.PlainHttp = true; }, "spec.model.plainHttp applies only to oci://" },
        { "ca bundle for https", s => { s.Model.Uri = "https://models.example/m.onnx"; s.Model.CaBundle = new CaBundleSource { ConfigMap = "ca" }; }, null },
        { "ca bundle for pvc", s => { s.Model.Uri = "pvc://models/m.onnx"; s.Model.CaBundle = new CaBundleSource { ConfigMap = "ca" }; }, "spec.model.caBundle applies only to oci://, https:// and s3://" },
        { "ca bundle with plain http", s => { s.Model.PlainHttp = true; s.Model.CaBundle = new CaBundleSource { ConfigMap = "ca" }; }, "caBundle has no effect with spec.model.plainHttp" },
        { "batch size zero", s => s.Benchmark = new BenchmarkSpec { BatchSizes = [1, 0] }, "batchSizes must all be at least 1" },
        { "bad progress deadline", s => s.Rollout = new RolloutSpec { Analysis = new AnalysisSpec { ProgressDeadline = "ten minutes" } }, "spec.rollout.analysis.progressDeadline 'ten minutes'" },
        { "input shape", s => s.Benchmark = new BenchmarkSpec { InputShapes = new() { ["image"] = [1, 3, 224, 224] } }, null },
        { "input shape with zero", s => s.Benchmark = new BenchmarkSpec { InputShapes = new() { ["image"] = [1, 3, 0, 224] } }, "spec.benchmark.inputShapes.image [1,3,0,224] must have every dimension at least 1" },
        { "node cache for oci", s => s.Model.Cache = new ModelCacheSpec { Node = true }, null },
        { "node cache for https", s => { s.Model.Uri = "https://models.example/m.onnx"; s.Model.Cache = new ModelCacheSpec { Node = true }; }, "spec.model.cache.node applies only to oci:// models" },
        { "prefetch", s => s.Model.Cache = new ModelCacheSpec { Node = true, Prefetch = true }, null },
        { "prefetch with the chart's node cache default", s => s.Model.Cache = new ModelCacheSpec { Prefetch = true }, null },
        { "prefetch without the node cache", s => s.Model.Cache = new ModelCacheSpec { Node = false, Prefetch = true }, "spec.model.cache.prefetch fills the node cache: it needs node: true" },
        { "prefetch for https", s => { s.Model.Uri = "https://models.example/m.onnx"; s.Model.Cache = new ModelCacheSpec { Prefetch = true }; }, "spec.model.cache.prefetch applies only to oci:// models" },
        { "prefetch false", s => s.Model.Cache = new ModelCacheSpec { Node = true, Prefetch = false }, null },
        { "empty input shape", s => s.Benchmark = new BenchmarkSpec { InputShapes = new() { ["image"] = [] } }, "spec.benchmark.inputShapes.image must list at least one dimension" },
        { "shadow with answer checks", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec { Fraction = 0.1, Duration = "5m", MinRequests = 200 }, Analysis = new AnalysisSpec { MinAgreement = 0.98, MaxOutputDiff = 0.05, Outputs = ["probabilities"] } }, null },
        { "shadow with defaults", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec(), Analysis = new AnalysisSpec() }, null },
        { "shadow without analysis", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec() }, "spec.rollout.shadow needs spec.rollout.analysis" },
        { "shadow fraction zero", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec { Fraction = 0 }, Analysis = new AnalysisSpec() }, "spec.rollout.shadow.fraction 0 must be above 0 and at most 1" },
        { "shadow fraction above one", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec { Fraction = 1.5 }, Analysis = new AnalysisSpec() }, "spec.rollout.shadow.fraction 1.5 must be above 0 and at most 1" },
        { "shadow duration", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec { Duration = "five minutes" }, Analysis = new AnalysisSpec() }, "spec.rollout.shadow.duration 'five minutes'" },
        { "shadow minRequests zero", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec { MinRequests = 0 }, Analysis = new AnalysisSpec() }, "spec.rollout.shadow.minRequests 0 must be at least 1" },
        { "minAgreement without shadow", s => s.Rollout = new RolloutSpec { Analysis = new AnalysisSpec { MinAgreement = 0.9 } }, "spec.rollout.analysis.minAgreement judge a shadow's answers and need spec.rollout.shadow" },
        { "minAgreement above one", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec(), Analysis = new AnalysisSpec { MinAgreement = 1.2 } }, "spec.rollout.analysis.minAgreement 1.2 must be between 0 and 1" },
        { "maxOutputDiff negative", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec(), Analysis = new AnalysisSpec { MaxOutputDiff = -1 } }, "spec.rollout.analysis.maxOutputDiff -1 must not be negative" },
        { "outputs empty", s => s.Rollout = new RolloutSpec { Shadow = new ShadowSpec(), Analysis = new AnalysisSpec { Outputs = [] } }, "spec.rollout.analysis.outputs is empty" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_NamesTheProblemField(string scenario, Action<ModelDeploymentSpec> edit, string? expectedError)
    {
        var errors = SpecValidator.Validate(Samples.Model(edit: edit));

        if (expectedError is null) Assert.True(errors.Count == 0, $"{scenario}: unexpected errors: {string.Join("; ", errors)}");
        else Assert.True(errors.Any(e => e.Contains(expectedError, StringComparison.Ordinal)), $"{scenario}: expected '{expectedError}' in: {string.Join("; ", errors)}");
    }

    [Fact]
    public void Validate_NameTooLongForRevisionSuffix_IsRejected()
    {
        var errors = SpecValidator.Validate(Samples.Model(name: new string('m', 53)));
        Assert.Contains(errors, e => e.StartsWith("metadata.name is 53 characters", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("500ms", 500)]
    [InlineData("0s", 0)]
    public void Durations_ParseFlaggerStyle(string text, double ms) => Assert.Equal(ms, Durations.TryParse(text)!.Value.TotalMilliseconds);

    [Theory]
    [InlineData("30")]
    [InlineData("2 m")]
    [InlineData("1d")]
    [InlineData("")]
    public void Durations_RejectOtherText(string text) => Assert.Null(Durations.TryParse(text));
}
