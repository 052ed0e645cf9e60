using System.Text;
using k8s.Models;
using ModelOperator.DevCluster.Kubelet;

namespace ModelOperator.DevCluster.Tests.Kubelet;

/// <summary>A container's environment from envFrom and env, as the kubelet makes it; pure.</summary>
public sealed class ContainerEnvironmentTests
{
    private static readonly V1Pod Pod = new() { Metadata = new V1ObjectMeta { Name = "web-1", NamespaceProperty = "team" }, Spec = new V1PodSpec { Containers = [] } };

    private static readonly ConfigSources Sources = new(
        new Dictionary<string, IDictionary<string, string>?>
        {
            ["settings"] = new Dictionary<string, string> { ["MODE"] = "fast", ["LOG_LEVEL"] = "info", ["bad key"] = "x", ["1ST"] = "y" },
            ["absent"] = null,
        },
        new Dictionary<string, IDictionary<string, byte[]>?>
        {
            ["creds"] = new Dictionary<string, byte[]> { ["TOKEN"] = Encoding.UTF8.GetBytes("t0ken"), ["MODE"] = Encoding.UTF8.GetBytes("from-secret") },
            ["gone"] = null,
        });

    private static ContainerEnvironment.Result Make(V1Container container) =>
        ContainerEnvironment.Make(Pod, container, "127.10.0.3", "127.0.0.1", new Dictionary<string, string> { ["POD_IP"] = "127.10.0.3" }, Sources, v => v);

    [Fact]
    public void EnvFrom_AddsEachSourceInOrderBehindItsPrefix_AndEnvOverridesAndExpandsAgainstIt()
    {
        var container = new V1Container
        {
            Name = "main",
            EnvFrom =
            [
                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" } },
                new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "creds" } }, // its MODE wins over the ConfigMap's
                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "settings" }, Prefix = "APP_" },
                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "absent", Optional = true } },
                new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "gone", Optional = true } },
            ],
            Env =
            [
                new V1EnvVar { Name = "LOG_LEVEL", Value = "debug" },
                new V1EnvVar { Name = "URL", Value = "http://$(POD_IP)/?mode=$(APP_MODE)&token=$(TOKEN)" },
                new V1EnvVar { Name = "LEVEL", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "LOG_LEVEL" } } },
                new V1EnvVar { Name = "NONE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "settings", Key = "NOPE", Optional = true } } },
            ],
        };

        var made = Make(container);

        Assert.Equal("from-secret", made.Variables["MODE"]);
        Assert.Equal("t0ken", made.Variables["TOKEN"]);
        Assert.Equal("fast", made.Variables["APP_MODE"]);
        Assert.Equal("debug", made.Variables["LOG_LEVEL"]);
        Assert.Equal("info", made.Variables["LEVEL"]);
        Assert.Equal("http://127.10.0.3/?mode=fast&token=t0ken", made.Variables["URL"]);
        Assert.False(made.Variables.ContainsKey("NONE"));
        Assert.False(made.Variables.ContainsKey("bad key"));
        Assert.Equal(
        [
            "Keys [1ST, bad key] from the EnvFrom configMap team/settings were skipped since they are considered invalid environment variable names.",
            "Keys [APP_bad key] from the EnvFrom configMap team/settings were skipped since they are considered invalid environment variable names.",
        ], made.SkippedKeys);
    }

    [Theory]
    [InlineData("configMapRef", "absent", null, "configmap \"absent\" not found")]
    [InlineData("secretRef", "gone", null, "secret \"gone\" not found")]
    [InlineData("configMapKeyRef", "absent", "MODE", "configmap \"absent\" not found")]
    [InlineData("configMapKeyRef", "settings", "NOPE", "couldn't find key NOPE in ConfigMap team/settings")]
    [InlineData("secretKeyRef", "gone", "TOKEN", "secret \"gone\" not found")]
    [InlineData("secretKeyRef", "creds", "NOPE", "couldn't find key NOPE in Secret team/creds")]
    public void AMissingSourceOrKey_ThatIsNotOptional_IsTheKubeletsCreateContainerConfigError(string kind, string name, string? key, string message)
    {
        var container = new V1Container { Name = "main" };
        switch (kind)
        {
            case "configMapRef": container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = name } }]; break;
            case "secretRef": container.EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = name } }]; break;
            case "configMapKeyRef": container.Env = [new V1EnvVar { Name = "V", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = name, Key = key } } }]; break;
            default: container.Env = [new V1EnvVar { Name = "V", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = name, Key = key } } }]; break;
        }

        var error = Assert.Throws<ContainerConfigException>(() => Make(container));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ConfigSources_NameEachConfigMapAndSecretOnce_FromEnvFromAndEnv()
    {
        var container = new V1Container
        {
            EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "a" } }, new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "s" } }],
            Env =
            [
                new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "b", Key = "k" } } },
                new V1EnvVar { Name = "Y", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "a", Key = "k" } } },
                new V1EnvVar { Name = "Z", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "s", Key = "k" } } },
            ],
        };

        Assert.Equal(["a", "b"], ConfigSources.ConfigMapNames(container));
        Assert.Equal(["s"], ConfigSources.SecretNames(container));
    }
}
