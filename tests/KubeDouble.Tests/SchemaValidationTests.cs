using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class SchemaValidationTests
{
    private static async Task<V1Status> RejectedAsync(TestCluster cluster, JsonObject widget)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => SampleCrd.CreateAsync(cluster.Client, widget));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        return KubernetesJson.Deserialize<V1Status>(error.Response.Content);
    }

    private static async Task<TestCluster> WithCrdAsync()
    {
        var cluster = await TestCluster.StartAsync();
        await SampleCrd.InstallAsync(cluster.Client);
        return cluster;
    }

    public static TheoryData<string, string, string, string> Invalid => new()
    {
        { """{"size":"small","replicas":"three"}""", "spec.replicas", "FieldValueTypeInvalid", "Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"" },
        { """{"replicas":1}""", "spec.size", "FieldValueRequired", "Required value" },
        { """{"size":"huge"}""", "spec.size", "FieldValueNotSupported", "Unsupported value: \"huge\": supported values: \"small\", \"medium\", \"large\"" },
        { """{"size":"small","replicas":11}""", "spec.replicas", "FieldValueInvalid", "Invalid value: 11: spec.replicas in body should be less than or equal to 10" },
        { """{"size":"small","replicas":-1}""", "spec.replicas", "FieldValueInvalid", "Invalid value: -1: spec.replicas in body should be greater than or equal to 0" },
        { """{"size":"small","color":"Blue"}""", "spec.color", "FieldValueInvalid", "Invalid value: \"Blue\": spec.color in body should match '^[a-z]+$'" },
        { """{"size":"small","tags":["a","b","c","d"]}""", "spec.tags", "FieldValueTooMany", "Too many: 4: must have at most 3 items" },
        { """{"size":"small","ports":[{"name":"a"},{"name":"a"}]}""", "spec.ports[1]", "FieldValueDuplicate", "Duplicate value: {\"name\":\"a\"}" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task InvalidCustomResource_Is422WithAFieldCause(string spec, string field, string reason, string message)
    {
        await using var cluster = await WithCrdAsync();
        var widget = SampleCrd.Widget("w");
        widget["spec"] = JsonNode.Parse(spec);

        var status = await RejectedAsync(cluster, widget);

        Assert.Equal("Invalid", status.Reason);
        var cause = Assert.Single(status.Details.Causes);
        Assert.Equal((field, reason, message), (cause.Field, cause.Reason, cause.Message));
        Assert.StartsWith("Widget.example.com \"w\" is invalid: ", status.Message);
    }

    [Fact]
    public async Task ValidCustomResource_GetsTheSchemaDefaults()
    {
        await using var cluster = await WithCrdAsync();

        var created = await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w"));

        Assert.Equal(1, (long)created["spec"]!["replicas"]!);
        Assert.Equal("blue", created["spec"]!["color"]!.ToString());
    }

    [Fact]
    public async Task UnknownFields_ArePruned_ExceptUnderPreserveUnknownFields()
    {
        await using var cluster = await WithCrdAsync();
        var widget = SampleCrd.Widget("w");
        widget["spec"]!["unknown"] = "dropped";
        widget["spec"]!["extra"] = new JsonObject { ["anything"] = new JsonObject { ["goes"] = 1 } };

        var created = await SampleCrd.CreateAsync(cluster.Client, widget);

        Assert.Null(created["spec"]!["unknown"]);
        Assert.Equal(1, (long)created["spec"]!["extra"]!["anything"]!["goes"]!);
    }

    [Fact]
    public async Task UnknownFields_WithStrictFieldValidation_Are400()
    {
        await using var cluster = await WithCrdAsync();
        var widget = SampleCrd.Widget("w");
        widget["spec"]!["unknown"] = "x";

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            widget, SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, fieldValidation: "Strict"));

        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
        Assert.Equal("strict decoding error: unknown field \"spec.unknown\"", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Message);
    }

    [Fact]
    public async Task StatusWrites_AreValidatedToo()
    {
        await using var cluster = await WithCrdAsync();
        var created = await SampleCrd.CreateAsync(cluster.Client, SampleCrd.Widget("w"));
        created["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready" }) };

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(
            created, SampleCrd.Group, SampleCrd.Version, "default", SampleCrd.Plural, "w"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("status.conditions[0].status", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Details.Causes.Single().Field);
    }

    [Fact]
    public async Task BuiltInDeployment_WithASelectorThatMissesTheTemplate_Is422()
    {
        await using var cluster = await TestCluster.StartAsync();
        var deployment = Samples.Deployment("web");
        deployment.Spec.Template.Metadata.Labels = new Dictionary<string, string> { ["app"] = "other" };

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(error.Response.Content);
        Assert.Equal("spec.template.metadata.labels", status.Details.Causes.Single().Field);
        Assert.StartsWith("Deployment.apps \"web\" is invalid", status.Message);
    }

    [Fact]
    public async Task InvalidName_Is422()
    {
        await using var cluster = await TestCluster.StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(Samples.ConfigMap("Not_A_Name"), "default"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("metadata.name", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Details.Causes.Single().Field);
    }
}
