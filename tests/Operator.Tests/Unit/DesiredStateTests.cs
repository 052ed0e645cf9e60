using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;

namespace ModelOperator.Operator.Tests.Unit;

public sealed class DesiredStateTests
{
    private static readonly OperatorSettings Settings = new("registry.local/model-runtime:test");

    [Fact]
    public void Revision_IsStable_AndIgnoresReplicasAutoscalingAndRollout()
    {
        var a = RevisionHasher.Compute(Samples.Model().Spec, Settings);
        var b = RevisionHasher.Compute(Samples.Model(edit: s =>
        {
            s.Replicas = new ReplicasSpec { Min = 1, Max = 10 };
            s.Autoscaling = new AutoscalingSpec { TargetMs = 20 };
            s.Rollout = new RolloutSpec { Steps = [new() { Weight = 10 }] };
        }).Spec, Settings);

        Assert.Matches("^[0-9a-f]{10}$", a);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Revision_IgnoresTheBenchmarkGate_SoRelaxingItReadmitsTheSamePods()
    {
        var strict = RevisionHasher.Compute(Samples.Model(edit: s => s.Benchmark = new BenchmarkSpec { Iterations = 5, Gate = new BenchmarkGate { MaxP95Ms = 1 } }).Spec, Settings);
        var relaxed = RevisionHasher.Compute(Samples.Model(edit: s => s.Benchmark = new BenchmarkSpec { Iterations = 5, Gate = new BenchmarkGate { MaxP95Ms = 100 } }).Spec, Settings);
        var otherShape = RevisionHasher.Compute(Samples.Model(edit: s => s.Benchmark = new BenchmarkSpec { Iterations = 5, InputShapes = new() { ["x"] = [1, 3] } }).Spec, Settings);

        Assert.Equal(strict, relaxed);
        Assert.NotEqual(strict, otherShape);
    }

    [Fact]
    public void Revision_IsTheSameWithOrWithoutTheApiServersDefaults()
    {
        // Guards a past bug: the hash of the spec as written differed from the hash of the spec as stored (defaulted).
        var bare = Samples.Model(edit: s => { s.Runtime = null; s.Gpu = null; });
        var defaulted = Samples.Model(edit: s => { s.Model.Format = "onnx"; s.Runtime = new RuntimeSpec { Device = "auto" }; s.Gpu = new GpuSpec { Count = 0 }; });

        Assert.Equal(RevisionHasher.Compute(bare.Spec, Settings), RevisionHasher.Compute(defaulted.Spec, Settings));
    }

    [Theory]
    [InlineData("model")]
    [InlineData("image")]
    [InlineData("batching")]
    [InlineData("gpu")]
    [InlineData("benchmark")]
    public void Revision_ChangesWithEveryPodShapingPart(string part)
    {
        var before = RevisionHasher.Compute(Samples.Model().Spec, Settings);
        var after = RevisionHasher.Compute(Samples.Model(edit: s =>
        {
            switch (part)
            {
                case "model": s.Model.Uri = "oci://registry.local/models/resnet:2.0"; break;
                case "image": s.Runtime!.Image = "registry.local/model-runtime:other"; break;
                case "batching": s.Runtime!.Batching!.MaxBatchSize = 32; break;
                case "gpu": s.Gpu = new GpuSpec { NodeSelector = new() { ["pool"] = "a100" } }; break;
                case "benchmark": s.Benchmark = new BenchmarkSpec { Iterations = 100 }; break;
            }
        }).Spec, Settings);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Revision_FollowsTheOperatorsDefaultImage()
    {
        Assert.NotEqual(RevisionHasher.Compute(Samples.Model().Spec, Settings),
            RevisionHasher.Compute(Samples.Model().Spec, Settings with { RuntimeImage = "registry.local/model-runtime:next" }));
    }

    [Fact]
    public void Deployment_RunsTheRuntimeWithServeArgumentsProbesAndHardening()
    {
        var md = Samples.Model(edit: s => s.Benchmark = new BenchmarkSpec { BatchSizes = [1, 8], Iterations = 50, WarmupIterations = 5 });
        var d = DesiredDeployment.Build(md, "abc1234567", Settings);

        Assert.Equal("resnet-abc1234567", d.Metadata.Name);
        Assert.Equal(2, d.Spec.Replicas);
        Assert.Equal("resnet", d.Metadata.OwnerReferences.Single().Name);
        Assert.True(d.Metadata.OwnerReferences.Single().Controller);
        Assert.Equal("abc1234567", d.Spec.Template.Metadata.Labels[WellKnown.RevisionLabel]);
        Assert.Equal("resnet", d.Spec.Template.Metadata.Labels[WellKnown.NameLabel]);
        var pod = d.Spec.Template.Spec;
        var c = pod.Containers.Single();
        Assert.Equal("registry.local/model-runtime:test", c.Image);
        Assert.Equal(
            ["serve", "--model", "oci://registry.local/models/resnet:1.0", "--name", "resnet", "--port", "8080", "--device", "cpu",
             "--max-batch", "16", "--batch-delay-ms", "5", "--bench-batch", "1,8", "--bench-iterations", "50", "--shutdown-delay", "5", "--management-port", "8082",
             "--bench-warmup", "5"],
            c.Args);
        Assert.Equal([("http", 8080), ("grpc", 8081), ("management", 8082)], c.Ports.Select(p => (p.Name, p.ContainerPort)));
        Assert.Equal("/v2/health/ready", c.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/v2/health/live", c.LivenessProbe.HttpGet.Path);
        Assert.True(c.StartupProbe.PeriodSeconds * c.StartupProbe.FailureThreshold >= 600, "startup probe must allow pull and benchmark");
        Assert.Equal("spec.nodeName", c.Env.Single(e => e.Name == "NODE_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal(WellKnown.CacheDir, c.Env.Single(e => e.Name == "XDG_CACHE_HOME").Value);
        Assert.Contains(c.VolumeMounts, m => m.MountPath == WellKnown.CacheDir);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.True(c.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Null(c.Resources);
    }

    [Fact]
    public void Deployment_WithGpus_RequestsNvidiaGpuAndKeepsPlacement()
    {
        var md = Samples.Model(edit: s =>
        {
            s.Runtime!.Device = "cuda";
            s.Gpu = new GpuSpec
            {
                Count = 2, NodeSelector = new() { ["gpu"] = "a100" },
                Tolerations = [new k8s.Models.V1Toleration { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }],
            };
        });
        var pod = DesiredDeployment.Build(md, "r", Settings).Spec.Template.Spec;

        Assert.Equal("2", pod.Containers[0].Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Equal("a100", pod.NodeSelector["gpu"]);
        Assert.Equal("nvidia.com/gpu", pod.Tolerations.Single().Key);
    }

    [Fact]
    public void Deployment_PinsOciDigest_AndMountsPvcModels()
    {
        var digest = "sha256:" + new string('c', 64);
        var pinned = DesiredDeployment.Build(Samples.Model(edit: s => s.Model.Digest = digest), "r", Settings);
        Assert.Equal("oci://registry.local/models/resnet@" + digest, pinned.Spec.Template.Spec.Containers[0].Args[2]);

        var pvc = DesiredDeployment.Build(Samples.Model(edit: s => s.Model.Uri = "pvc://models/resnet/model.onnx"), "r", Settings).Spec.Template.Spec;
        Assert.Equal("/mnt/models/models/resnet/model.onnx", pvc.Containers[0].Args[2]);
        Assert.Equal("models", pvc.Volumes.Single(v => v.Name == "model").PersistentVolumeClaim.ClaimName);
    }

    [Fact]
    public void Service_SelectsEveryRevisionOfTheModel()
    {
        var s = DesiredService.Build(Samples.Model());
        Assert.Equal("resnet", s.Metadata.Name);
        Assert.Equal(new Dictionary<string, string> { [WellKnown.NameLabel] = "resnet" }, s.Spec.Selector);
        Assert.Equal("http", s.Spec.Ports.Single(p => p.Name == "http").TargetPort.Value);
    }

    [Fact]
    public void Service_ExposesTheRuntimesGrpcPort_AsGrpc()
    {
        var s = DesiredService.Build(Samples.Model());

        var grpc = s.Spec.Ports.Single(p => p.Name == "grpc");
        Assert.Equal((8081, "grpc", "grpc"), (grpc.Port, grpc.TargetPort.Value, grpc.AppProtocol));
        Assert.Equal(["http", "grpc"], s.Spec.Ports.Select(p => p.Name));
    }

    [Fact]
    public void Service_ForOneRevision_SelectsOnlyItsPods()
    {
        var s = DesiredService.Build(Samples.Model(), onlyRevision: "abc1234567");
        Assert.Equal(new Dictionary<string, string> { [WellKnown.NameLabel] = "resnet", [WellKnown.RevisionLabel] = "abc1234567" }, s.Spec.Selector);
    }

    [Fact]
    public void Service_DoesNotExposeTheManagementPort_WhereShadowTargetsAreSet()
    {
        var s = DesiredService.Build(Samples.Model());

        Assert.DoesNotContain(s.Spec.Ports, p => p.Port == WellKnown.RuntimeManagementPort || p.TargetPort.Value is "management" or "8082");
    }
}
