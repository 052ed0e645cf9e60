using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>The kubelet's runAsNonRoot check against the pod's runAsUser and the image's user; pure.</summary>
public sealed class RunAsNonRootTests
{
    [Theory]
    [InlineData(true, null, "", "container has runAsNonRoot and image will run as root")]
    [InlineData(true, null, "0", "container has runAsNonRoot and image will run as root")]
    [InlineData(true, null, "0:0", "container has runAsNonRoot and image will run as root")]
    [InlineData(true, null, "root", "container has runAsNonRoot and image has non-numeric user (root), cannot verify user is non-root")]
    [InlineData(true, null, "65532", null)]
    [InlineData(true, null, "65532:65532", null)]
    [InlineData(true, 0L, "65532", "container's runAsUser breaks non-root policy")]
    [InlineData(true, 1000L, "", null)] // an explicit non-root runAsUser overrides a root image
    [InlineData(true, null, null, null)] // processes: no image to ask
    [InlineData(false, null, "", null)]
    [InlineData(null, null, "", null)]
    public void Violation_FollowsTheKubelet(bool? runAsNonRoot, long? runAsUser, string? imageUser, string? refused)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "team", Uid = "u-1" },
            Spec = new V1PodSpec { SecurityContext = new V1PodSecurityContext { RunAsNonRoot = runAsNonRoot }, Containers = [] },
        };
        var container = new V1Container { Name = "main", SecurityContext = new V1SecurityContext { RunAsUser = runAsUser } };

        var violation = RunAsNonRoot.Violation(pod, container, imageUser);

        if (refused is null) Assert.Null(violation);
        else Assert.Equal($"{refused} (pod: \"web-1_team(u-1)\", container: main)", violation);
    }

    [Fact]
    public void Violation_TakesTheContainersSettingOverThePods()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", Uid = "u" },
            Spec = new V1PodSpec { SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true }, Containers = [] },
        };

        Assert.Null(RunAsNonRoot.Violation(pod, new V1Container { Name = "c", SecurityContext = new V1SecurityContext { RunAsNonRoot = false } }, ""));
        Assert.NotNull(RunAsNonRoot.Violation(pod, new V1Container { Name = "c" }, ""));
    }
}
