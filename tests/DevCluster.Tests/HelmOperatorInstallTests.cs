namespace ModelOperator.DevCluster.Tests;

/// <summary>What `dev-cluster --operator-chart` says when the install cannot happen.</summary>
public sealed class HelmOperatorInstallTests
{
    [Fact]
    public async Task Install_WithoutHelm_SaysWhereToGetIt()
    {
        var state = Directory.CreateTempSubdirectory("helm-install-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HelmOperatorInstall.InstallAsync(
                Path.Combine(state, "no-helm"), RepoPaths.Of("charts", "model-operator"), Path.Combine(state, "kubeconfig"), state,
                Path.Combine(state, "helm-install.log"), CancellationToken.None));

            Assert.Contains("could not run helm", error.Message);
            Assert.Contains("make kubectl", error.Message);
        }
        finally { Directory.Delete(state, recursive: true); }
    }

    [Fact]
    public async Task Install_OfAMissingChart_FailsWithHelmsOwnMessage()
    {
        var helm = Environment.GetEnvironmentVariable("HELM") is { Length: > 0 } fromEnv ? fromEnv : RepoPaths.Of(".tools", "bin", "helm");
        Assert.True(File.Exists(helm), $"helm not found at {helm}: run `make kubectl` or set HELM");
        await using var cluster = await DevClusterHost.StartAsync(components: []);
        var missing = Path.Combine(cluster.Context.StateDirectory, "no-such-chart");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HelmOperatorInstall.InstallAsync(helm, missing, cluster.KubeconfigPath,
            cluster.Context.StateDirectory, Path.Combine(cluster.Context.StateDirectory, "helm-install.log"), CancellationToken.None));

        Assert.StartsWith($"helm install of {missing} exited 1:", error.Message);
        Assert.Contains("no-such-chart", error.Message[error.Message.IndexOf(':')..]);
    }
}
