namespace ModelOperator.Runtime.Server;

/// <summary>
/// Where a runtime pod's start went, by its own clock (milliseconds, unlike the seconds of a pod's conditions), as
/// <c>GET /v2/models/{name}/benchmark</c> reports it under <c>startup</c>; the operator splits a cold start's
/// "load and benchmark" part with it. Each part is null until it is done.
/// </summary>
/// <param name="ProcessSeconds">From the process's start to the model's fetch beginning (the .NET host and the server starting).</param>
/// <param name="FetchSeconds">Fetching the model: a pull or copy from its source, or the node cache's verification of its copy.</param>
/// <param name="LoadSeconds">Loading it into ONNX Runtime (session creation and the execution provider).</param>
/// <param name="BenchmarkSeconds">The on-node benchmark and the warm-up of the request path, until the model turned ready.</param>
public sealed record StartupTimings(double? ProcessSeconds = null, double? FetchSeconds = null, double? LoadSeconds = null, double? BenchmarkSeconds = null);
