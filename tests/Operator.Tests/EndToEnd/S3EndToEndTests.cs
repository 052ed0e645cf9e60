using k8s;
using k8s.Models;
using ModelOperator.Operator.Api;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.EndToEnd;

/// <summary>
/// s3:// models on the dev cluster: a real S3-compatible server (s3rver), a credentials Secret the runtime pods get as
/// AWS_* variables, and real inference through the Service. A revision whose model cannot be fetched never takes
/// traffic; the status carries the runtime's own error.
/// </summary>
[Trait("Category", "DevCluster")]
public sealed class S3EndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PodStart = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task S3ModelWithACredentialsSecret_BecomesReadyAndServes_AndAMissingKeyLeavesTheStableServing()
    {
        await using var s3 = await S3Server.StartAsync("models");
        await s3.PutAsync("models", "vision/mnist-cnn.onnx", await File.ReadAllBytesAsync(new Uri(DevClusterWithOperator.ModelUri("mnist-cnn")).LocalPath));
        await using var cluster = await DevClusterWithOperator.StartAsync(output);
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "s3-credentials" },
            StringData = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretAccessKey },
        }, "default");
        await cluster.CreateAsync(DevClusterWithOperator.Model("cnn-s3", "mnist-cnn", s =>
        {
            s.Model.Uri = "s3://models/vision/mnist-cnn.onnx";
            s.Model.S3 = new S3Spec { Endpoint = s3.Endpoint, ForcePathStyle = true, CredentialsSecret = "s3-credentials" };
            s.Rollout = new RolloutSpec { Steps = [new RolloutStep { Weight = 50, Pause = "5s" }], Analysis = new AnalysisSpec { Interval = "3s", MaxP95Ratio = 3 } };
        }));

        string stable;
        try
        {
            stable = await cluster.StableAsync("cnn-s3");
        }
        catch (TimeoutException)
        {
            // What a user would look at: the conditions and the pods' container states.
            output.WriteLine(string.Join("\n", cluster.Model("cnn-s3").Status?.Conditions?.Select(c => $"{c.Type}={c.Status} {c.Reason}: {c.Message}") ?? []));
            output.WriteLine(string.Join("\n", cluster.Pods("cnn-s3").SelectMany(p => p.Status?.ContainerStatuses ?? [])
                .Select(c => $"{c.Name} ready={c.Ready} waiting={c.State?.Waiting?.Reason}: {c.State?.Waiting?.Message} last={c.LastState?.Terminated?.Message}")));
            throw;
        }
        await using var load = new ServiceLoad(await cluster.ServingInferUriAsync("cnn-s3"));
        await Eventually.TrueAsync(() => load.Ok >= 20, "20 requests served by the pod that read its model from S3", TimeSpan.FromMinutes(1));

        await cluster.PatchSpecAsync("cnn-s3", new { model = new { uri = "s3://models/vision/absent.onnx" } });
        var broken = await Eventually.ValueAsync(() => cluster.Model("cnn-s3").Status?.CanaryRevision, "the new revision", PodStart);
        var degraded = await Eventually.ValueAsync(() => cluster.Model("cnn-s3").Status?.Conditions?.FirstOrDefault(c =>
                c is { Type: "Degraded", Status: "True" } && c.Message.Contains("no such key", StringComparison.Ordinal)),
            "Degraded=True with the runtime's error", PodStart);
        var served = load.Ok;
        await Eventually.TrueAsync(() => load.Ok >= served + 20, "20 more requests served by the stable revision", TimeSpan.FromMinutes(1));

        output.WriteLine($"Degraded: {degraded.Message}; requests {load.Ok} ok, {load.Failed} failed");
        Assert.Contains($"Canary revision {broken}", degraded.Message);
        Assert.Contains($"no such key 'vision/absent.onnx' in bucket 'models' at {s3.Endpoint}", degraded.Message);
        Assert.Equal(stable, cluster.Model("cnn-s3").Status!.StableRevision);
        Assert.Equal(0, cluster.ReadyPods("cnn-s3", broken));
        Assert.True(load.Failed == 0, $"{load.Failed} of {load.Ok + load.Failed} requests failed: {string.Join(" | ", load.Failures)}");
    }
}
