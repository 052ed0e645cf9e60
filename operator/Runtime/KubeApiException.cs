using System.Net;
using k8s.Models;

namespace ModelOperator.Operator.Runtime;

/// <summary>A Kubernetes API error with the server's <c>Status</c> body, so callers see the reason, not just a code.</summary>
public sealed class KubeApiException(HttpStatusCode code, V1Status? status, string what)
    : Exception($"{what}: {(int)code} {status?.Reason} {status?.Message}".TrimEnd())
{
    /// <summary>The HTTP status code.</summary>
    public HttpStatusCode Code { get; } = code;

    /// <summary>The Status body, when the server sent one.</summary>
    public V1Status? Status { get; } = status;
}
