using k8s.Models;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Tests.Unit;

/// <summary>What a pod of a ModelDeployment gets to reach a private registry, and how a pinned digest reaches the runtime.</summary>
public sealed class ModelAccessTests
{
    private static readonly OperatorSettings Settings = new("registry.local/model-runtime:test");
    private static readonly string Digest = "sha256:" + new string('c', 64);

    private static V1PodSpec Pod(Action<ModelDeploymentSpec> edit) =>
        DesiredDeployment.Build(Samples.Model(edit: edit), "abc1234567", Settings).Spec.Template.Spec;

    [Fact]
    public void PullSecret_IsMountedReadOnlyAsTheDockerConfig()
    {
        var pod = Pod(s => s.Model.PullSecret = "regcred");
        var c = pod.Containers.Single();

        var volume = pod.Volumes.Single(v => v.Secret is not null);
        Assert.Equal("regcred", volume.Secret.SecretName);
        Assert.Equal((".dockerconfigjson", "config.json"), (volume.Secret.Items.Single().Key, volume.Secret.Items.Single().Path));
        var mount = c.VolumeMounts.Single(m => m.Name == volume.Name);
        Assert.True(mount.ReadOnlyProperty);
        Assert.Equal(mount.MountPath, c.Env.Single(e => e.Name == "DOCKER_CONFIG").Value);
    }

    [Fact]
    public void CaBundle_IsMountedAndNamedByCaFile()
    {
        var pod = Pod(s => s.Model.CaBundle = new CaBundleSource { ConfigMap = "registry-ca", Key = "root.pem" });
        var c = pod.Containers.Single();

        var volume = pod.Volumes.Single(v => v.ConfigMap is not null);
        Assert.Equal("registry-ca", volume.ConfigMap.Name);
        var item = volume.ConfigMap.Items.Single();
        Assert.Equal("root.pem", item.Key);
        var mount = c.VolumeMounts.Single(m => m.Name == volume.Name);
        Assert.True(mount.ReadOnlyProperty);
        var caFile = c.Args[c.Args.IndexOf("--ca-file") + 1];
        Assert.Equal($"{mount.MountPath}/{item.Path}", caFile);
    }

    [Fact]
    public void PlainHttp_PassesPlainHttpToTheRuntime()
    {
        Assert.Contains("--plain-http", Pod(s => s.Model.PlainHttp = true).Containers.Single().Args);
        Assert.DoesNotContain("--plain-http", Pod(_ => { }).Containers.Single().Args);
    }

    [Theory]
    [InlineData("https://models.example/resnet.onnx")]
    [InlineData("s3://models/vision/resnet")]
    [InlineData("pvc://models/resnet/model.onnx")]
    [InlineData("file:///models/resnet.onnx")]
    public void Digest_OfAFileScheme_IsCheckedByTheRuntimeThroughSha256(string uri)
    {
        var args = Pod(s => { s.Model.Uri = uri; s.Model.Digest = Digest; }).Containers.Single().Args;

        Assert.Equal(Digest, args[args.IndexOf("--sha256") + 1]);
    }

    [Fact]
    public void Digest_OfAnOciModel_PinsTheReference()
    {
        var args = Pod(s => s.Model.Digest = Digest).Containers.Single().Args;

        Assert.Equal("oci://registry.local/models/resnet@" + Digest, args[args.IndexOf("--model") + 1]);
        Assert.DoesNotContain("--sha256", args);
    }

    [Fact]
    public void S3Settings_ReachTheRuntimeAsFlags_AndTheCredentialsSecretAsAwsVariables()
    {
        var c = Pod(s =>
        {
            s.Model.Uri = "s3://models/vision/resnet";
            s.Model.S3 = new S3Spec { Endpoint = "https://minio.storage:9000", Region = "eu-west-1", ForcePathStyle = true, CredentialsSecret = "minio-cred" };
        }).Containers.Single();

        Assert.Equal("s3://models/vision/resnet", c.Args[c.Args.IndexOf("--model") + 1]);
        Assert.Equal("https://minio.storage:9000", c.Args[c.Args.IndexOf("--s3-endpoint") + 1]);
        Assert.Equal("eu-west-1", c.Args[c.Args.IndexOf("--s3-region") + 1]);
        Assert.Contains("--s3-force-path-style", c.Args);
        var credentials = c.Env.Where(e => e.Name.StartsWith("AWS_", StringComparison.Ordinal)).ToList();
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], credentials.Select(e => e.Name));
        Assert.All(credentials, e => Assert.Equal(("minio-cred", e.Name, (string?)null), (e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key, e.Value)));
        Assert.Equal([null, null, true], credentials.Select(e => e.ValueFrom.SecretKeyRef.Optional));
    }

    [Fact]
    public void S3WithoutSettingsOrSecret_LeavesTheSdkDefaults_AndThePodsOwnIdentity()
    {
        var c = Pod(s => s.Model.Uri = "s3://models/resnet.onnx").Containers.Single();

        Assert.DoesNotContain(c.Args, a => a.StartsWith("--s3-", StringComparison.Ordinal));
        Assert.DoesNotContain(c.Env, e => e.Name.StartsWith("AWS_", StringComparison.Ordinal));
    }

    [Fact]
    public void RuntimeContainer_ReportsItsLogTailWhenItFails_SoTheStatusCarriesTheRuntimesError()
    {
        Assert.Equal("FallbackToLogsOnError", Pod(_ => { }).Containers.Single().TerminationMessagePolicy);
    }

    [Fact]
    public void ServiceAccountAndImagePullSecrets_ReachThePod()
    {
        var pod = Pod(s => { s.ServiceAccountName = "model-reader"; s.ImagePullSecrets = [new V1LocalObjectReference { Name = "image-cred" }]; });

        Assert.Equal("model-reader", pod.ServiceAccountName);
        Assert.Equal("image-cred", pod.ImagePullSecrets.Single().Name);
    }

    [Fact]
    public void NoPrivateRegistryFields_LeaveThePodAsBefore()
    {
        var pod = Pod(_ => { });

        Assert.DoesNotContain(pod.Volumes, v => v.Secret is not null || v.ConfigMap is not null);
        Assert.DoesNotContain(pod.Containers.Single().Env, e => e.Name == "DOCKER_CONFIG");
        Assert.Null(pod.ServiceAccountName);
        Assert.Null(pod.ImagePullSecrets);
    }

    [Fact]
    public void Revision_ChangesWithRegistryAccessAndPodIdentity_ButNotWhenAbsent()
    {
        var plain = RevisionHasher.Compute(Samples.Model().Spec, Settings);

        Assert.NotEqual(plain, RevisionHasher.Compute(Samples.Model(edit: s => s.Model.PullSecret = "regcred").Spec, Settings));
        Assert.NotEqual(plain, RevisionHasher.Compute(Samples.Model(edit: s => s.ServiceAccountName = "reader").Spec, Settings));
        Assert.Equal(plain, RevisionHasher.Compute(Samples.Model(edit: s => s.ImagePullSecrets = []).Spec, Settings));
    }

    [Fact]
    public void Revision_ChangesWithEachS3Setting()
    {
        static string Revision(Action<S3Spec> edit) => RevisionHasher.Compute(Samples.Model(edit: s =>
        {
            s.Model.Uri = "s3://models/resnet.onnx";
            s.Model.S3 = new S3Spec();
            edit(s.Model.S3);
        }).Spec, Settings);

        string[] revisions =
        [
            Revision(_ => { }), Revision(s3 => s3.Endpoint = "https://minio:9000"), Revision(s3 => s3.Region = "eu-west-1"),
            Revision(s3 => s3.ForcePathStyle = true), Revision(s3 => s3.CredentialsSecret = "cred"),
        ];

        Assert.Equal(revisions.Length, revisions.Distinct().Count());
    }

    [Fact]
    public void RuntimePods_CarryPrometheusScrapeAnnotations()
    {
        var template = DesiredDeployment.Build(Samples.Model(), "abc1234567", Settings).Spec.Template;

        Assert.Equal("true", template.Metadata.Annotations["prometheus.io/scrape"]);
        Assert.Equal(template.Spec.Containers.Single().Ports.Single(p => p.Name == "http").ContainerPort.ToString(), template.Metadata.Annotations["prometheus.io/port"]);
        Assert.Equal("/metrics", template.Metadata.Annotations["prometheus.io/path"]);
    }
}
