namespace ModelOperator.Operator.Runtime;

/// <summary>Names the operator instance in every request, so audit logs (and tests) can tell instances apart.</summary>
internal sealed class UserAgentHandler(string userAgent) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.UserAgent.Clear();
        request.Headers.UserAgent.ParseAdd(userAgent);
        return base.SendAsync(request, cancellationToken);
    }
}
