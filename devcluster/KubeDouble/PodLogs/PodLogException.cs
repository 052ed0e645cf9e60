namespace ModelOperator.KubeDouble.PodLogs;

/// <summary>No log can be served (e.g. no previous instance); answered as 400 BadRequest with this message, as the API server does.</summary>
public sealed class PodLogException(string message) : Exception(message);
