using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace ModelOperator.KubeDouble.Tests;

/// <summary>A sample CRD (widgets.example.com) with a structural schema, status and scale subresources and printer columns.</summary>
internal static class SampleCrd
{
    public const string Group = "example.com";
    public const string Version = "v1";
    public const string Plural = "widgets";

    public const string Yaml = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names:
            plural: widgets
            singular: widget
            kind: Widget
            shortNames: [wd]
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
              scale:
                specReplicasPath: .spec.replicas
                statusReplicasPath: .status.replicas
                labelSelectorPath: .status.selector
            additionalPrinterColumns:
            - name: Size
              type: string
              jsonPath: .spec.size
            - name: Replicas
              type: integer
              jsonPath: .spec.replicas
            - name: Ready
              type: string
              jsonPath: .status.conditions[?(@.type=="Ready")].status
            - name: Age
              type: date
              jsonPath: .metadata.creationTimestamp
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [size]
                    properties:
                      size:
                        type: string
                        enum: [small, medium, large]
                      replicas:
                        type: integer
                        minimum: 0
                        maximum: 10
                        default: 1
                      color:
                        type: string
                        pattern: '^[a-z]+$'
                        default: blue
                      tags:
                        type: array
                        items: {type: string}
                        maxItems: 3
                      ports:
                        type: array
                        x-kubernetes-list-type: map
                        x-kubernetes-list-map-keys: [name]
                        items:
                          type: object
                          required: [name]
                          properties:
                            name: {type: string}
                            port: {type: integer}
                      extra:
                        type: object
                        x-kubernetes-preserve-unknown-fields: true
                  status:
                    type: object
                    properties:
                      replicas: {type: integer}
                      selector: {type: string}
                      phase: {type: string}
                      observedGeneration: {type: integer}
                      conditions:
                        type: array
                        x-kubernetes-list-type: map
                        x-kubernetes-list-map-keys: [type]
                        items:
                          type: object
                          required: [type, status]
                          properties:
                            type: {type: string}
                            status: {type: string}
                            reason: {type: string}
                            message: {type: string}
                            lastTransitionTime: {type: string, format: date-time}
        """;

    public static V1CustomResourceDefinition Definition() =>
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(Yaml);

    public static async Task InstallAsync(Kubernetes client) =>
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Definition());

    public static JsonObject Widget(string name, string size = "small", int? replicas = null)
    {
        var spec = new JsonObject { ["size"] = size };
        if (replicas is not null) spec["replicas"] = replicas;
        return new JsonObject
        {
            ["apiVersion"] = "example.com/v1", ["kind"] = "Widget",
            ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec,
        };
    }

    /// <summary>The generic CustomObjects API answers JsonElement; tests read it as a JsonObject.</summary>
    public static JsonObject Json(object response) => response switch
    {
        JsonElement e => JsonNode.Parse(e.GetRawText())!.AsObject(),
        _ => JsonNode.Parse(KubernetesJson.Serialize(response))!.AsObject(),
    };

    public static async Task<JsonObject> CreateAsync(Kubernetes client, JsonObject widget, string ns = "default") =>
        Json(await client.CustomObjects.CreateNamespacedCustomObjectAsync(widget, Group, Version, ns, Plural));

    public static async Task<JsonObject> GetAsync(Kubernetes client, string name, string ns = "default") =>
        Json(await client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, ns, Plural, name));
}
