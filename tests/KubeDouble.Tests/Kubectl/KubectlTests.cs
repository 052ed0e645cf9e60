using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests.Kubectl;

/// <summary>A stock kubectl (v1.34, from `make kubectl`) against the double: what a person would type.</summary>
public sealed class KubectlTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: nginx:1
                ports: [{containerPort: 80}]
        """;

    private const string Widget = """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: w1
        spec:
          size: small
          replicas: 2
        """;

    private static async Task<KubectlSession> WithCrdAsync()
    {
        var session = await KubectlSession.StartAsync();
        (await session.RunAsync("apply", "-f", session.WriteFile("crd.yaml", SampleCrd.Yaml))).Succeeded();
        (await session.RunAsync("wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=20s")).Succeeded();
        return session;
    }

    [Fact]
    public async Task ApplyCrd_ThenApplyACustomResource_AndGetShowsItsPrinterColumns()
    {
        await using var session = await WithCrdAsync();

        var applied = (await session.RunAsync("apply", "-f", session.WriteFile("w.yaml", Widget))).Succeeded();
        var table = (await session.RunAsync("get", "widgets")).Succeeded().Table();
        var byShortName = (await session.RunAsync("get", "wd", "w1", "-o", "jsonpath={.spec.color}")).Succeeded();

        Assert.Equal("widget.example.com/w1 created", applied.Stdout.Trim());
        Assert.Equal(["NAME", "SIZE", "REPLICAS", "READY", "AGE"], table[0]);
        Assert.Equal(["w1", "small", "2"], table[1][..3]);
        Assert.Equal("blue", byShortName.Stdout);
    }

    [Fact]
    public async Task InvalidCustomResource_IsRefusedWithTheSchemaError()
    {
        await using var session = await WithCrdAsync();

        var result = await session.RunAsync("apply", "-f", session.WriteFile("bad.yaml", Widget.Replace("size: small", "size: huge")));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.size: Unsupported value: \"huge\"", result.Stderr);
    }

    [Fact]
    public async Task ClientSideApply_ConfiguresChanges_AndAnUnchangedApplyWritesNothing()
    {
        await using var session = await KubectlSession.StartAsync();
        var file = session.WriteFile("deploy.yaml", Deployment);
        (await session.RunAsync("apply", "-f", file)).Succeeded();

        var changed = (await session.RunAsync("apply", "-f", session.WriteFile("deploy2.yaml", Deployment.Replace("nginx:1", "nginx:2")))).Succeeded();
        session.Cluster.Server.Requests.Clear();
        var unchanged = (await session.RunAsync("apply", "-f", session.WriteFile("deploy3.yaml", Deployment.Replace("nginx:1", "nginx:2")))).Succeeded();

        Assert.Equal("deployment.apps/web configured", changed.Stdout.Trim());
        Assert.Equal("deployment.apps/web unchanged", unchanged.Stdout.Trim());
        Assert.Empty(session.Cluster.Server.Requests.Writes());
        var live = await session.Cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal("nginx:2", live.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal(2, live.Metadata.Generation);
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", live.Metadata.Annotations.Keys);
        Assert.Contains(session.Cluster.Server.Requests.All(), r => r.Verb == "get" && r.Resource == "deployments");
    }

    [Fact]
    public async Task ServerSideApply_Conflicts_WithAnotherManager_UntilForced()
    {
        await using var session = await KubectlSession.StartAsync();
        var file = session.WriteFile("deploy.yaml", Deployment);
        var created = (await session.RunAsync("apply", "--server-side", "-f", file)).Succeeded();
        (await session.RunAsync("scale", "deployment/web", "--replicas=5")).Succeeded();

        var conflict = await session.RunAsync("apply", "--server-side", "-f", file);
        var forced = (await session.RunAsync("apply", "--server-side", "--force-conflicts", "-f", file)).Succeeded();

        Assert.Equal("deployment.apps/web serverside-applied", created.Stdout.Trim());
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("conflict with \"kubectl\"", conflict.Stderr);
        Assert.Contains(".spec.replicas", conflict.Stderr);
        Assert.Equal("deployment.apps/web serverside-applied", forced.Stdout.Trim());
        Assert.Equal(2, (await session.Cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default")).Spec.Replicas);
    }

    [Fact]
    public async Task Patch_StrategicMergeJsonAndMerge()
    {
        await using var session = await KubectlSession.StartAsync();
        (await session.RunAsync("apply", "-f", session.WriteFile("deploy.yaml", Deployment))).Succeeded();

        (await session.RunAsync("patch", "deployment", "web", "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:3"}]}}}}""")).Succeeded();
        (await session.RunAsync("patch", "deployment", "web", "--type=json", "-p", """[{"op":"replace","path":"/spec/replicas","value":4}]""")).Succeeded();
        (await session.RunAsync("patch", "deployment", "web", "--type=merge", "-p", """{"metadata":{"labels":{"team":"serving"}}}""")).Succeeded();

        var live = await session.Cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal(("nginx:3", 80), (live.Spec.Template.Spec.Containers.Single().Image, live.Spec.Template.Spec.Containers.Single().Ports.Single().ContainerPort));
        Assert.Equal(4, live.Spec.Replicas);
        Assert.Equal("serving", live.Metadata.Labels["team"]);
    }

    [Fact]
    public async Task WaitForCondition_ReturnsOnceTheStatusSaysSo()
    {
        await using var session = await WithCrdAsync();
        (await session.RunAsync("apply", "-f", session.WriteFile("w.yaml", Widget))).Succeeded();
        using var wait = session.Start("wait", "--for=condition=Ready", "widget/w1", "--timeout=30s");
        await Eventually.TrueAsync(() => session.Cluster.Server.Requests.All().Any(r => r.Resource == "widgets" && r.Verb is "watch"),
            "kubectl wait to watch the widget");

        await session.Cluster.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(
            """{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Done","message":"ready"}]}}""", V1Patch.PatchType.MergePatch),
            SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w1");

        Assert.Equal(0, await wait.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("widget.example.com/w1 condition met", wait.Lines);
    }

    [Fact]
    public async Task GetWatch_PrintsChangesAsTheyHappen()
    {
        await using var session = await WithCrdAsync();
        (await session.RunAsync("apply", "-f", session.WriteFile("w.yaml", Widget))).Succeeded();
        using var watch = session.Start("get", "widgets", "-w");
        await watch.WaitForLineAsync(l => l.StartsWith("w1 ") && l.Contains(" 2 "), "the initial row of w1");

        await session.Cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("""{"spec":{"replicas":7}}""", V1Patch.PatchType.MergePatch),
            SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w1");

        await watch.WaitForLineAsync(l => l.StartsWith("w1 ") && l.Contains(" 7 "), "the changed row of w1");
    }

    [Fact]
    public async Task Describe_ShowsTheObjectAndItsEvents()
    {
        await using var session = await KubectlSession.StartAsync();
        (await session.RunAsync("apply", "-f", session.WriteFile("deploy.yaml", Deployment))).Succeeded();
        var live = await session.Cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        await session.Cluster.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.1" }, Type = "Normal", Reason = "ScalingReplicaSet", Message = "Scaled up to 2",
            InvolvedObject = new V1ObjectReference { Kind = "Deployment", Name = "web", NamespaceProperty = "default", Uid = live.Metadata.Uid, ApiVersion = "apps/v1" },
            Source = new V1EventSource { Component = "deployment-controller" }, FirstTimestamp = DateTime.UtcNow, LastTimestamp = DateTime.UtcNow, Count = 1,
        }, "default");

        var described = (await session.RunAsync("describe", "deployment", "web")).Succeeded();

        Assert.Contains("Name:", described.Stdout);
        Assert.Contains("nginx:1", described.Stdout);
        Assert.Contains("ScalingReplicaSet", described.Stdout);
        Assert.Contains("Scaled up to 2", described.Stdout);
    }

    [Fact]
    public async Task Delete_RemovesTheObject_AndGetThenSaysNotFound()
    {
        await using var session = await WithCrdAsync();
        (await session.RunAsync("apply", "-f", session.WriteFile("w.yaml", Widget))).Succeeded();

        var deleted = (await session.RunAsync("delete", "widget", "w1")).Succeeded();
        var get = await session.RunAsync("get", "widget", "w1");

        Assert.StartsWith("widget.example.com \"w1\" deleted", deleted.Stdout.Trim());
        Assert.NotEqual(0, get.ExitCode);
        Assert.Contains("widgets.example.com \"w1\" not found", get.Stderr);
    }

    [Fact]
    public async Task ApiResources_ListsBuiltInsAndCustomResources()
    {
        await using var session = await WithCrdAsync();

        var resources = (await session.RunAsync("api-resources", "-o", "name")).Succeeded().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("deployments.apps", resources);
        Assert.Contains("leases.coordination.k8s.io", resources);
        Assert.Contains("widgets.example.com", resources);
        Assert.Contains("pods", resources);
    }

    [Fact]
    public async Task ClientSideApply_ThatDropsAContainer_RemovesItThroughStrategicMergePatch()
    {
        await using var session = await KubectlSession.StartAsync();
        var twoContainers = Deployment + "\n      - name: sidecar\n        image: proxy:1\n";
        (await session.RunAsync("apply", "-f", session.WriteFile("two.yaml", twoContainers))).Succeeded();
        Assert.Equal(2, (await session.Cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default")).Spec.Template.Spec.Containers.Count);

        (await session.RunAsync("apply", "-f", session.WriteFile("one.yaml", Deployment))).Succeeded();

        var live = await session.Cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "default");
        Assert.Equal(["web"], live.Spec.Template.Spec.Containers.Select(c => c.Name));
        Assert.Contains(session.Cluster.Server.Requests.All(), r => r.Verb == "patch" && r.PatchType == "strategic");
    }

    [Fact]
    public async Task CreateNamespaceConfigMapAndSecret_ThroughKubectlsProtobufGenerators_ThenDeleteTheNamespace()
    {
        await using var session = await KubectlSession.StartAsync();

        (await session.RunAsync("create", "namespace", "team")).Succeeded();
        (await session.RunAsync("create", "configmap", "settings", "-n", "team", "--from-literal=mode=fast")).Succeeded();
        (await session.RunAsync("create", "secret", "generic", "token", "-n", "team", "--from-literal=pw=hunter2")).Succeeded();

        Assert.Equal("fast", (await session.Cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", "team")).Data["mode"]);
        Assert.Equal("hunter2", System.Text.Encoding.UTF8.GetString((await session.Cluster.Client.CoreV1.ReadNamespacedSecretAsync("token", "team")).Data["pw"]));
        var deleted = (await session.RunAsync("delete", "namespace", "team")).Succeeded();
        Assert.Equal("namespace \"team\" deleted", deleted.Stdout.Trim());
        Assert.Null(session.Cluster.Server.Store.Get("", "v1", "namespaces", null, "team"));
        Assert.Empty(session.Cluster.Server.Store.List("", "v1", "configmaps", "team"));
    }
}
