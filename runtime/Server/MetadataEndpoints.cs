using ModelOperator.Runtime.Inference;
using ModelOperator.Runtime.Protocol;

namespace ModelOperator.Runtime.Server;

/// <summary>Server and model metadata of OIP v2, model readiness, and the on-node benchmark result.</summary>
internal static class MetadataEndpoints
{
    public const string Platform = "onnx_onnxv1";
    public const string ServerName = "model-runtime";
    public static readonly string ServerVersion = typeof(MetadataEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    public static readonly string[] Extensions = ["binary_tensor_data", "model_repository_metadata"];

    public static void MapMetadata(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v2", () => Results.Json(new
        {
            name = ServerName,
            version = ServerVersion,
            extensions = Extensions,
        }));
        app.MapGet("/v2/models/{name}", (ModelRegistry r, string name) => Metadata(r.Find(name, null)));
        app.MapGet("/v2/models/{name}/versions/{version}", (ModelRegistry r, string name, string version) => Metadata(r.Find(name, version)));
        app.MapGet("/v2/models/{name}/ready", (ModelRegistry r, string name) => Ready(r.Find(name, null)));
        app.MapGet("/v2/models/{name}/versions/{version}/ready", (ModelRegistry r, string name, string version) => Ready(r.Find(name, version)));
        app.MapGet("/v2/models/{name}/benchmark", (ModelRegistry r, string name) => Results.Json(r.Find(name, null).Benchmark));
    }

    private static IResult Ready(ServedModel model) => Results.Json(
        new { name = model.Name, ready = model.State == ModelState.Ready, state = model.State.ToString().ToLowerInvariant() },
        statusCode: model.State == ModelState.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);

    private static IResult Metadata(ServedModel served)
    {
        var model = served.Model ?? throw ProtocolException.Unavailable(
            $"model '{served.Name}' is {served.State.ToString().ToLowerInvariant()}{(served.Failure is null ? "" : ": " + served.Failure)}");
        return Results.Json(new
        {
            name = served.Name,
            versions = new[] { served.Version },
            platform = Platform,
            inputs = model.Inputs.Select(Describe),
            outputs = model.Outputs.Select(Describe),
            parameters = new Dictionary<string, object?>
            {
                ["execution_provider"] = model.Provider.Provider,
                ["execution_provider_reason"] = model.Provider.Reason,
                ["device"] = model.Provider.Device,
                ["dynamic_batching"] = served.Runner is Batching.DynamicBatcher,
                ["load_seconds"] = Math.Round(model.LoadTime.TotalSeconds, 3),
                ["digest"] = served.Digest,
                ["state"] = served.State.ToString().ToLowerInvariant(),
            },
        });
    }

    private static object Describe(TensorSpec spec) => new { name = spec.Name, datatype = spec.Datatype.Name, shape = spec.Shape };
}
