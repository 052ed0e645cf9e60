using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

public sealed class CelRuleTests
{
    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: ranges.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: ranges, singular: range, kind: Range}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    x-kubernetes-validations:
                    - rule: "self.min <= self.max"
                      message: "min must not exceed max"
                    - rule: "!has(self.mode) || self.mode in ['fast', 'slow']"
                    - rule: "self.tags.all(t, t.startsWith('x-'))"
                      fieldPath: ".tags"
                    - rule: "self.name == oldSelf.name"
                      message: "name is immutable"
                    - rule: "self.unknownFunction()"
                    properties:
                      name: {type: string}
                      min: {type: integer}
                      max: {type: integer}
                      mode: {type: string}
                      tags: {type: array, items: {type: string}}
        """;

    private static JsonObject Range(string spec) => new()
    {
        ["apiVersion"] = "example.com/v1", ["kind"] = "Range", ["metadata"] = new JsonObject { ["name"] = "r" }, ["spec"] = JsonNode.Parse(spec),
    };

    private static async Task<TestCluster> StartAsync()
    {
        var cluster = await TestCluster.StartAsync();
        await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(Crd));
        return cluster;
    }

    private static Task<object> CreateAsync(TestCluster cluster, string spec) =>
        cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(Range(spec), "example.com", "v1", "default", "ranges");

    [Theory]
    [InlineData("""{"name":"a","min":5,"max":1,"tags":[]}""", "spec", "Invalid value: \"object\": min must not exceed max")]
    [InlineData("""{"name":"a","min":1,"max":5,"mode":"warp","tags":[]}""", "spec", "Invalid value: \"object\": failed rule: !has(self.mode) || self.mode in ['fast', 'slow']")]
    [InlineData("""{"name":"a","min":1,"max":5,"tags":["x-a","b"]}""", "spec.tags", "Invalid value: \"object\": failed rule: self.tags.all(t, t.startsWith('x-'))")]
    public async Task FailingRule_Is422WithItsMessage(string spec, string field, string message)
    {
        await using var cluster = await StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(cluster, spec));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        var cause = Assert.Single(KubernetesJson.Deserialize<V1Status>(error.Response.Content).Details.Causes);
        Assert.Equal((field, message), (cause.Field, cause.Message));
    }

    [Fact]
    public async Task PassingRules_AndRulesOutsideTheSubset_LetTheObjectIn()
    {
        await using var cluster = await StartAsync();

        var created = SampleCrd.Json(await CreateAsync(cluster, """{"name":"a","min":1,"max":5,"mode":"fast","tags":["x-a"]}"""));

        Assert.Equal("fast", created["spec"]!["mode"]!.ToString());
    }

    [Fact]
    public async Task TransitionRule_ComparesWithTheOldObjectOnUpdate()
    {
        await using var cluster = await StartAsync();
        await CreateAsync(cluster, """{"name":"a","min":1,"max":5,"tags":[]}""");

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"name":"b"}}""", V1Patch.PatchType.MergePatch), "example.com", "v1", "default", "ranges", "r"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.Equal("Invalid value: \"object\": name is immutable", KubernetesJson.Deserialize<V1Status>(error.Response.Content).Details.Causes.Single().Message);
    }
}
