using k8s;
using k8s.Models;
using ModelOperator.KubeDouble;
using ModelOperator.Operator.Api;
using ModelOperator.Operator.Reconcile;
using Xunit.Abstractions;

namespace ModelOperator.Operator.Tests.Integration;

public sealed class ReconcileTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NewModelDeployment_GetsRevisionDeploymentServiceFinalizerAndStatus()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        await cluster.StartOperatorAsync("a");

        await cluster.CreateAsync(Samples.Model("resnet"));
        await Eventually.TrueAsync(() => cluster.Converged("resnet"), "resnet to converge");

        var md = cluster.Model("resnet")!;
        var deployment = cluster.CurrentDeployment(md)!;
        var service = cluster.Service("resnet")!;
        Assert.Contains(WellKnown.Finalizer, md.Metadata.Finalizers);
        Assert.Equal(md.Metadata.Uid, deployment.Metadata.OwnerReferences.Single(o => o.Controller == true).Uid);
        Assert.Equal(md.Metadata.Uid, service.Metadata.OwnerReferences.Single(o => o.Controller == true).Uid);
        Assert.Equal(Phases.Pending, md.Status!.Phase);
        Assert.Equal("ReplicasNotReady", md.Status.Conditions!.Single(c => c.Type == "Ready").Reason);
        Assert.Equal("registry.local/model-runtime:test", deployment.Spec.Template.Spec.Containers[0].Image);

        await cluster.MarkReadyAsync(deployment);
        await Eventually.TrueAsync(() => cluster.Model("resnet")!.Status!.Phase == Phases.Serving, "resnet to be Serving once its pods are ready");
        var serving = cluster.Model("resnet")!.Status!;
        Assert.Equal(deployment.Metadata.Labels[WellKnown.RevisionLabel], serving.StableRevision);
        Assert.Equal(2, serving.ReadyReplicas);
        Assert.Equal("True", serving.Conditions!.Single(c => c.Type == "Ready").Status);
    }

    [Fact]
    public async Task UnchangedSpec_MakesZeroWrites_EvenWhenEventsArrive()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        var op = await cluster.StartOperatorAsync("a");
        await cluster.CreateAsync(Samples.Model("resnet"));
        await Eventually.TrueAsync(() => cluster.Converged("resnet"), "resnet to converge");
        var deployment = cluster.CurrentDeployment(cluster.Model("resnet")!)!;
        await cluster.MarkReadyAsync(deployment);
        await Eventually.TrueAsync(() => cluster.Model("resnet")!.Status!.Phase == Phases.Serving, "resnet to be Serving");
        await Task.Delay(500); // let the status write's own watch event come back
        cluster.Server.Requests.Clear();

        // Others touch the objects (a GitOps label, an annotation): each is an event the operator reconciles.
        // One at a time: the work queue rightly folds events that arrive while a key waits into one reconcile.
        async Task ReconciledAfter(Func<Task> touch, string what)
        {
            var before = Reconciles(op);
            await touch();
            await Eventually.TrueAsync(() => Reconciles(op) > before, $"the operator to reconcile after {what}");
        }
        await ReconciledAfter(() => cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"metadata":{"labels":{"team":"vision"}}}""", V1Patch.PatchType.MergePatch), deployment.Metadata.Name, "default"), "a label on the Deployment");
        await ReconciledAfter(() => cluster.Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""{"metadata":{"annotations":{"owner":"vision"}}}""", V1Patch.PatchType.MergePatch), "resnet", "default"), "an annotation on the Service");
        await ReconciledAfter(() => cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata":{"labels":{"tier":"gold"}}}""", V1Patch.PatchType.MergePatch),
            ModelDeployment.Group, ModelDeployment.Version, "default", ModelDeployment.Plural, "resnet"), "a label on the ModelDeployment");

        Assert.Empty(cluster.WritesDescribed("a"));
        Assert.Equal("vision", cluster.DeploymentsOf("resnet").Single().Metadata.Labels["team"]);
        Assert.Equal("vision", cluster.Service("resnet")!.Metadata.Annotations["owner"]);
    }

    [Fact]
    public async Task ChildEditedOrDeletedByHand_IsRestored()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        await cluster.StartOperatorAsync("a");
        await cluster.CreateAsync(Samples.Model("resnet"));
        await Eventually.TrueAsync(() => cluster.Converged("resnet"), "resnet to converge");
        var name = cluster.CurrentDeployment(cluster.Model("resnet")!)!.Metadata.Name;

        await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":7}}""", V1Patch.PatchType.MergePatch), name, "default");
        await Eventually.TrueAsync(() => cluster.DeploymentsOf("resnet").Single().Spec.Replicas == 2, "replicas edited by hand to be restored to 2");

        (await cluster.Client.HttpClient.DeleteAsync(new Uri(cluster.Server.BaseAddress, "api/v1/namespaces/default/services/resnet"))).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => cluster.Service("resnet") is not null, "the deleted Service to be recreated");
        (await cluster.Client.HttpClient.DeleteAsync(new Uri(cluster.Server.BaseAddress, $"apis/apps/v1/namespaces/default/deployments/{name}"))).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => cluster.DeploymentsOf("resnet").Count == 1, "the deleted Deployment to be recreated");
    }

    [Fact]
    public async Task SpecChange_StartsNewRevision_AndRemovesTheOldOnceReady()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        await cluster.StartOperatorAsync("a");
        await cluster.CreateAsync(Samples.Model("resnet"));
        await Eventually.TrueAsync(() => cluster.Converged("resnet"), "resnet to converge");
        var v1 = cluster.CurrentDeployment(cluster.Model("resnet")!)!;
        await cluster.MarkReadyAsync(v1);
        await Eventually.TrueAsync(() => cluster.Model("resnet")!.Status!.Phase == Phases.Serving, "v1 to serve");

        await cluster.PatchSpecAsync("resnet", new { model = new { uri = "oci://registry.local/models/resnet:2.0" } });
        await Eventually.TrueAsync(() => cluster.Converged("resnet") && cluster.DeploymentsOf("resnet").Count == 2, "the v2 Deployment next to v1");
        var progressing = cluster.Model("resnet")!;
        Assert.Equal(Phases.Progressing, progressing.Status!.Phase);
        Assert.Equal(2, progressing.Status.ObservedGeneration);

        var v2 = cluster.CurrentDeployment(progressing)!;
        await cluster.MarkReadyAsync(v2);
        await Eventually.TrueAsync(() => cluster.DeploymentsOf("resnet").Count == 1 && cluster.Model("resnet")!.Status!.StableRevision == v2.Metadata.Labels[WellKnown.RevisionLabel],
            "v2 to become stable and v1 to be deleted");
        Assert.Equal(v2.Metadata.Name, cluster.DeploymentsOf("resnet").Single().Metadata.Name);
    }

    [Fact]
    public async Task Deleting_RunsTheFinalizer_AndRemovesChildrenWithoutGarbageCollection()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output, new KubeApiServerOptions { GarbageCollectionEnabled = false });
        await cluster.StartOperatorAsync("a");
        await cluster.CreateAsync(Samples.Model("resnet"));
        await Eventually.TrueAsync(() => cluster.Converged("resnet"), "resnet to converge");

        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(ModelDeployment.Group, ModelDeployment.Version, "default", ModelDeployment.Plural, "resnet");

        await Eventually.TrueAsync(() => cluster.Model("resnet") is null, "the ModelDeployment to go once its finalizer ran");
        Assert.Empty(cluster.DeploymentsOf("resnet"));
        Assert.Null(cluster.Service("resnet"));
    }

    [Fact]
    public async Task InvalidSpec_IsReadyFalseWithReason_TouchesNoChild_AndDoesNotLoop()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        var op = await cluster.StartOperatorAsync("a");

        // Passes the schema and its CEL rules but not the operator: the pinned digest contradicts the one in the URI.
        // (cuda without a GPU, this test's first case, is now refused by the CRD's CEL rule before it is stored.)
        await cluster.CreateAsync(Samples.Model("bad", edit: s =>
        {
            s.Model.Uri = "oci://registry.local/models/resnet@sha256:" + new string('a', 64);
            s.Model.Digest = "sha256:" + new string('b', 64);
        }));
        await Eventually.TrueAsync(() => cluster.Model("bad")?.Status?.Phase == Phases.Failed, "the invalid ModelDeployment to be Failed");

        var ready = cluster.Model("bad")!.Status!.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal(("False", SpecValidator.Reason), (ready.Status, ready.Reason));
        Assert.Contains("spec.model.digest contradicts the digest in spec.model.uri", ready.Message);
        Assert.Empty(cluster.DeploymentsOf("bad"));
        Assert.Null(cluster.Service("bad"));
        var warning = await Eventually.ValueAsync(() => cluster.Server.Store.List("", "v1", "events", "default")
            .FirstOrDefault(e => e["reason"]?.ToString() == SpecValidator.Reason), "an InvalidSpec event");
        Assert.Equal("bad", warning["involvedObject"]!["name"]!.ToString());

        // No hot loop: over a quiet second and a half the operator sends nothing (watches aside).
        await Task.Delay(500);
        cluster.Server.Requests.Clear();
        var reconciles = Reconciles(op);
        await Task.Delay(1500);
        Assert.DoesNotContain(cluster.Server.Requests.All(), r => r.UserAgent.Contains("model-operator/a") && r.Verb is not "watch" and not "list" && r.Resource != "leases");
        Assert.True(Reconciles(op) - reconciles <= 1, $"reconciled {Reconciles(op) - reconciles} times while nothing changed");
    }

    [Fact]
    public async Task SchemaViolation_IsRejectedByTheApiServerWithTheField()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            cluster.CreateAsync(Samples.Model("bad", edit: s => s.Model.Uri = "gs://bucket/model.onnx")));

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("spec.model.uri", error.Response.Content);
    }

    [Fact]
    public async Task ReplicaBoundsCrossed_AreRejectedByTheCrdsCelRule()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            cluster.CreateAsync(Samples.Model("bad", edit: s => s.Replicas = new ReplicasSpec { Min = 5, Max = 2 })));

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Contains("replicas.min must not exceed replicas.max", error.Response.Content);
    }

    [Fact]
    public async Task HealthAndMetricsEndpoints_ReportLeadershipAndReconciles()
    {
        await using var cluster = await OperatorTestCluster.StartAsync(output);
        var op = await cluster.StartOperatorAsync("a", leaderElection: true);
        await cluster.CreateAsync(Samples.Model("resnet"));
        await Eventually.TrueAsync(() => cluster.Converged("resnet"), "resnet to converge");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        Assert.Equal("ok", await http.GetStringAsync(new Uri(op.HttpAddress, "/healthz")));
        Assert.Equal("leading", await http.GetStringAsync(new Uri(op.HttpAddress, "/readyz")));
        var metrics = await http.GetStringAsync(new Uri(op.HttpAddress, "/metrics"));
        Assert.Contains("modeloperator_leader 1", metrics);
        Assert.Contains("modeloperator_reconciles_total{controller=\"modeldeployment\",result=\"success\"}", metrics);
        Assert.Contains("modeloperator_reconcile_duration_seconds_bucket", metrics);
        Assert.Contains("modeloperator_api_writes_total{resource=\"deployments\",verb=\"apply\"} 1", metrics);
    }

    internal static double Reconciles(OperatorHost op) =>
        op.Metrics.Reconciles.WithLabels("modeldeployment", "success").Value + op.Metrics.Reconciles.WithLabels("modeldeployment", "error").Value;
}
