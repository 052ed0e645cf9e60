namespace ModelOperator.DevCluster.Kubelet;

/// <summary>
/// How a pod reaches the API server from inside the cluster: the address the kubelet puts in
/// <c>KUBERNETES_SERVICE_HOST</c>/<c>PORT</c> (the API double's TLS listener; there is no <c>kubernetes</c> Service
/// here) and the CA the projected <c>ca.crt</c> holds.
/// </summary>
public sealed record InClusterApi(string Host, int Port, string CertificateAuthorityPem);
