namespace ModelOperator.KubeDouble;

/// <summary>
/// A kubeconfig for the double: one cluster, one context named kube-double. The double ignores credentials, but
/// KubernetesClient refuses a user without any ("does not have appropriate auth credentials"), so it carries a dummy token.
/// </summary>
public static class Kubeconfig
{
    public static string Render(Uri server) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: kube-double
          cluster:
            server: {server.ToString().TrimEnd('/')}
        users:
        - name: kube-double
          user:
            token: kube-double
        contexts:
        - name: kube-double
          context:
            cluster: kube-double
            user: kube-double
            namespace: default
        current-context: kube-double
        preferences: {"{}"}

        """;
}
