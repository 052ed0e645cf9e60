using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class BuiltInDefaultsTests
{
    [Fact]
    public async Task Deployment_GetsTheApiServerDefaults()
    {
        await using var cluster = await TestCluster.StartAsync();
        var deployment = Samples.Deployment("web");
        deployment.Spec.Replicas = null;
        deployment.Spec.Template.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 8080 }];

        var created = await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default");

        Assert.Equal((1, 10, 600), (created.Spec.Replicas, created.Spec.RevisionHistoryLimit, created.Spec.ProgressDeadlineSeconds));
        Assert.Equal("RollingUpdate", created.Spec.Strategy.Type);
        var pod = created.Spec.Template.Spec;
        Assert.Equal(("Always", "ClusterFirst", "default-scheduler", 30L), (pod.RestartPolicy, pod.DnsPolicy, pod.SchedulerName, pod.TerminationGracePeriodSeconds));
        var container = pod.Containers.Single();
        Assert.Equal(("IfNotPresent", "TCP", "File"), (container.ImagePullPolicy, container.Ports.Single().Protocol, container.TerminationMessagePolicy));
    }

    [Fact]
    public async Task Service_GetsAClusterIP_ThatAnUpdateWithoutItKeeps()
    {
        await using var cluster = await TestCluster.StartAsync(new KubeApiServerOptions { ServiceClusterIPRange = "127.1.0.0/16" });
        var service = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 80 }] },
        };

        var created = await cluster.Client.CoreV1.CreateNamespacedServiceAsync(service, "default");
        service.Metadata.ResourceVersion = created.Metadata.ResourceVersion;
        service.Spec.Selector["tier"] = "front";
        var updated = await cluster.Client.CoreV1.ReplaceNamespacedServiceAsync(service, "web", "default");

        Assert.Equal("127.1.0.1", created.Spec.ClusterIP);
        Assert.Equal(("ClusterIP", "TCP", "80"), (created.Spec.Type, created.Spec.Ports.Single().Protocol, created.Spec.Ports.Single().TargetPort.Value));
        Assert.Equal("127.1.0.1", updated.Spec.ClusterIP);
    }

    [Fact]
    public async Task SecretStringData_IsMergedIntoData_AndNotStored()
    {
        await using var cluster = await TestCluster.StartAsync();
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "s3" },
            Data = new Dictionary<string, byte[]> { ["AWS_REGION"] = "eu-west-1"u8.ToArray(), ["AWS_ACCESS_KEY_ID"] = "old"u8.ToArray() },
            StringData = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIANEW", ["AWS_SECRET_ACCESS_KEY"] = "s3cr3t" },
        };

        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(secret, "default");
        var stored = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("s3", "default");

        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_REGION", "AWS_SECRET_ACCESS_KEY"], stored.Data.Keys.Order());
        Assert.Equal(("AKIANEW", "s3cr3t", "eu-west-1"), (System.Text.Encoding.UTF8.GetString(stored.Data["AWS_ACCESS_KEY_ID"]),
            System.Text.Encoding.UTF8.GetString(stored.Data["AWS_SECRET_ACCESS_KEY"]), System.Text.Encoding.UTF8.GetString(stored.Data["AWS_REGION"])));
        Assert.Null(stored.StringData);
    }

    [Fact]
    public async Task DeploymentSelector_IsImmutable()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(Samples.Deployment("web"), "default");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """{"spec":{"selector":{"matchLabels":{"app":"web","rev":"2"}},"template":{"metadata":{"labels":{"app":"web","rev":"2"}}}}}""",
            V1Patch.PatchType.MergePatch), "web", "default"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        var cause = KubernetesJson.Deserialize<V1Status>(error.Response.Content).Details.Causes.Single();
        Assert.Equal("spec.selector", cause.Field);
        Assert.EndsWith("field is immutable", cause.Message);
    }
}
