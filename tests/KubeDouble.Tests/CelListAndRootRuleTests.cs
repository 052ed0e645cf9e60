using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

/// <summary>Rules on the root (seeing metadata.name) and the list library's map()/isSorted(), as real API servers evaluate them.</summary>
public sealed class CelListAndRootRuleTests
{
    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: ladders.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: ladders, singular: ladder, kind: Ladder}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-validations:
                - rule: "size(self.metadata.name) <= 8"
                  message: "name too long"
                properties:
                  spec:
                    type: object
                    x-kubernetes-validations:
                    - rule: "self.steps.map(s, s.w).isSorted()"
                      message: "steps must be sorted"
                    properties:
                      steps: {type: array, maxItems: 10, items: {type: object, properties: {w: {type: integer}}}}
        """;

    private static async Task<TestCluster> StartAsync()
    {
        var cluster = await TestCluster.StartAsync();
        await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(Crd));
        return cluster;
    }

    private static Task<object> CreateAsync(TestCluster cluster, string name, string steps) =>
        cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
        {
            ["apiVersion"] = "example.com/v1", ["kind"] = "Ladder", ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["steps"] = JsonNode.Parse(steps) },
        }, "example.com", "v1", "default", "ladders");

    [Theory]
    [InlineData("too-long-name", """[{"w":1}]""", "name too long")]
    [InlineData("ok", """[{"w":5},{"w":2}]""", "steps must be sorted")]
    public async Task FailingRule_Is422WithItsMessage(string name, string steps, string message)
    {
        await using var cluster = await StartAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(cluster, name, steps));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Response.StatusCode);
        Assert.EndsWith(message, KubernetesJson.Deserialize<V1Status>(error.Response.Content).Details.Causes.Single().Message);
    }

    [Fact]
    public async Task SortedStepsAndAShortName_AreStored()
    {
        await using var cluster = await StartAsync();

        var created = SampleCrd.Json(await CreateAsync(cluster, "ok", """[{"w":1},{"w":1},{"w":3}]"""));

        Assert.Equal(3, created["spec"]!["steps"]!.AsArray().Count);
    }
}
