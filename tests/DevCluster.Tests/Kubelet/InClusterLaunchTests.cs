using System.Text.RegularExpressions;
using k8s.Models;
using ModelOperator.DevCluster.Kubelet;
using ModelOperator.Operator;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>
/// What the kubelet gives a pod so that a process written for a real cluster runs unchanged: the API address and the
/// service account folder (in-cluster config), its wildcard listen address bound to the pod IP, and the chart's image.
/// </summary>
public sealed class InClusterLaunchTests
{
    private static readonly InClusterApi Api = new("127.0.0.1", 6443, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");

    private static V1Pod Pod() => new() { Metadata = new V1ObjectMeta { Name = "op-1", NamespaceProperty = "model-operator" }, Spec = new V1PodSpec { Containers = [] } };

    [Fact]
    public void Launch_InCluster_SetsTheApiAddressAndNamesTheProjectedServiceAccountFolder()
    {
        IReadOnlyList<LocalMount> mounts = [new(ServiceAccountProjection.MountPath, "/state/pods/op/volumes/kube-api-access")];

        var plan = ContainerLaunch.Compose(Pod(), new V1Container { Name = "operator" }, ["/repo/model-operator"], "127.10.0.7", "127.0.0.1", mounts, "/p", _ => null, Api);

        Assert.Equal("127.0.0.1", plan.Environment["KUBERNETES_SERVICE_HOST"]);
        Assert.Equal("6443", plan.Environment["KUBERNETES_SERVICE_PORT"]);
        Assert.Equal("/state/pods/op/volumes/kube-api-access", plan.Environment[ServiceAccountProjection.Variable]);
    }

    [Fact]
    public void Launch_WithoutAServiceAccountMount_SetsNoFolderVariable()
    {
        var plan = ContainerLaunch.Compose(Pod(), new V1Container { Name = "operator" }, ["/repo/model-operator"], "127.10.0.7", "127.0.0.1", [], "/p", _ => null, Api);

        Assert.False(plan.Environment.ContainsKey(ServiceAccountProjection.Variable));
        Assert.Equal("127.0.0.1", plan.Environment["KUBERNETES_SERVICE_HOST"]);
    }

    [Fact]
    public void Launch_BindsTheChartsWildcardHttpAddressToThePodIp()
    {
        var container = new V1Container
        {
            Name = "operator", Args = ["run", "--http-address=http://0.0.0.0:8081"],
            Env = [new V1EnvVar { Name = "ASPNETCORE_URLS", Value = "http://0.0.0.0:9000" }],
        };

        var plan = ContainerLaunch.Compose(Pod(), container, ["/repo/model-operator"], "127.10.0.7", "127.0.0.1", [], "/p", _ => null);

        Assert.Equal(["run", "--http-address=http://127.10.0.7:8081"], plan.Arguments);
        Assert.Equal("http://127.10.0.7:9000", plan.Environment["ASPNETCORE_URLS"]);
    }

    [Theory]
    [InlineData("0.0.0.0", "127.10.0.7")]
    [InlineData("--host=0.0.0.0", "--host=127.10.0.7")]
    [InlineData("0.0.0.0:8080", "127.10.0.7:8080")]
    [InlineData("--allow=0.0.0.0/0", "--allow=0.0.0.0/0")] // a CIDR, not an address to listen on
    [InlineData("10.0.0.0", "10.0.0.0")]
    [InlineData("100.0.0.0", "100.0.0.0")]
    [InlineData("0.0.0.01", "0.0.0.01")]
    public void BindWildcard_ReplacesOnlyTheWildcardAddress(string text, string expected) =>
        Assert.Equal(expected, ContainerLaunch.BindWildcard(text, "127.10.0.7"));

    [Fact]
    public void ServiceAccountProjection_WritesTokenCaAndNamespace_UnlessThePodOptsOut()
    {
        var folder = Directory.CreateTempSubdirectory("sa-projection-").FullName;
        try
        {
            var pod = Pod();
            pod.Spec.ServiceAccountName = "model-operator";

            var written = ServiceAccountProjection.Write(pod, folder, Api);

            Assert.StartsWith("devcluster.", File.ReadAllText(Path.Combine(written, "token")));
            Assert.Equal(Api.CertificateAuthorityPem, File.ReadAllText(Path.Combine(written, "ca.crt")));
            Assert.Equal("model-operator", File.ReadAllText(Path.Combine(written, "namespace")));
            Assert.True(ServiceAccountProjection.Applies(pod));
            pod.Spec.AutomountServiceAccountToken = false;
            Assert.False(ServiceAccountProjection.Applies(pod));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void OperatorReadsTheVariableTheKubeletSets() =>
        Assert.Equal(ServiceAccountProjection.Variable, ClusterConnection.ProjectedServiceAccountVariable);

    [Fact]
    public void OperatorImage_IsTheImageTheChartDeploys()
    {
        var values = File.ReadAllText(RepoPaths.Of("charts", "model-operator", "values.yaml"));
        var chart = File.ReadAllText(RepoPaths.Of("charts", "model-operator", "Chart.yaml"));
        var repository = Regex.Match(values, @"^image:\s*\n\s+repository:\s*(\S+)", RegexOptions.Multiline).Groups[1].Value;
        var appVersion = Regex.Match(chart, @"^appVersion:\s*""?([^""\s]+)""?", RegexOptions.Multiline).Groups[1].Value;

        Assert.Equal(DefaultImages.OperatorImage, $"{repository}:{appVersion}");
        Assert.EndsWith(Path.Combine("operator", "bin", "Release", "net10.0", "model-operator"), DefaultImages.Create()[DefaultImages.OperatorImage][0]);
    }

    [Fact]
    public void ActivatorImage_IsTheImageTheChartDeploys()
    {
        var values = File.ReadAllText(RepoPaths.Of("charts", "model-operator", "values.yaml"));
        var chart = File.ReadAllText(RepoPaths.Of("charts", "model-operator", "Chart.yaml"));
        var repository = Regex.Match(values, @"^activator:\s*\n(?:\s+.*\n)*?\s+image:\s*\n\s+repository:\s*(\S+)", RegexOptions.Multiline).Groups[1].Value;
        var appVersion = Regex.Match(chart, @"^appVersion:\s*""?([^""\s]+)""?", RegexOptions.Multiline).Groups[1].Value;

        Assert.Equal(DefaultImages.ActivatorImage, $"{repository}:{appVersion}");
        Assert.EndsWith(Path.Combine("activator", "bin", "Release", "net10.0", "model-activator"), DefaultImages.Create()[DefaultImages.ActivatorImage][0]);
    }

    [Theory]
    [InlineData(new[] { "--operator", "/op", "--operator-chart", "charts/model-operator" }, "give one")]
    [InlineData(new[] { "--crds", "crds", "--operator-chart", "charts/model-operator" }, "drop --crds")]
    public void Flags_RefuseTwoWaysOfInstallingTheSameThing(string[] args, string says)
    {
        var error = Assert.Throws<ArgumentException>(() => DevClusterFlags.Parse(args));

        Assert.Contains(says, error.Message);
    }

    [Fact]
    public void Flags_TakeTheChartAndHelm()
    {
        var flags = DevClusterFlags.Parse(["--operator-chart", "charts/model-operator", "--helm", ".tools/bin/helm"]);

        Assert.Equal("charts/model-operator", flags.OperatorChart);
        Assert.Equal(".tools/bin/helm", flags.HelmPath);
    }
}
