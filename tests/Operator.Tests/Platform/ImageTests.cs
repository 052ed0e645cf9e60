namespace ModelOperator.Operator.Tests.Platform;

/// <summary>
/// The images <c>make images</c> builds from the Dockerfiles, as a platform engineer checks them: pulled back from the
/// registry they were pushed to (same digest), they start and answer <c>--version</c> on a read-only root as the
/// non-root uid 65532, and the CPU runtime image serves a model mounted read-only.
/// </summary>
public sealed class ImageTests(BuiltImages images) : IClassFixture<BuiltImages>
{
    [ContainerEngineTheory]
    [InlineData("model-operator")]
    [InlineData("model-activator")]
    [InlineData("model-runtime")]
    public async Task BuiltImage_PulledBackFromTheRegistry_StartsAsNonRootOnAReadOnlyRoot_AndAnswersVersion(string name)
    {
        var image = await images.GetAsync(name);

        var run = await ContainerEngine.RunAsync("run", "--rm", "--pull=always", "--tls-verify=false", "--network", "none", "--read-only", image.Reference, "--version");
        var inspect = await ContainerEngine.RunAsync("image", "inspect", "--format", "{{.Config.User}} {{range .RepoDigests}}{{.}} {{end}}", image.Reference);
        using var http = new HttpClient();
        using var head = new HttpRequestMessage(HttpMethod.Head, $"http://{images.Registry}/v2/{name}/manifests/{image.Reference[(image.Reference.LastIndexOf(':') + 1)..]}");
        head.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        head.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var manifest = await http.SendAsync(head);

        Assert.True(run.ExitCode == 0, $"{image.Reference} --version exited {run.ExitCode}: {run.Output}");
        Assert.Matches($@"^{name} \S+", run.Stdout);
        // The registry serves the digest the push reported, and the image pulled back is known by it.
        Assert.Equal(image.Digest, manifest.Headers.GetValues("Docker-Content-Digest").Single());
        var words = inspect.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("65532:65532", words[0]);
        Assert.Contains($"{image.Reference[..image.Reference.LastIndexOf(':')]}@{image.Digest}", words.Skip(1));
    }

    [ContainerEngineFact]
    public async Task CpuRuntimeImage_CarriesOnnxRuntime_WithoutTheGpuProviders()
    {
        var image = await images.GetAsync("model-runtime");

        var files = await ContainerEngine.RunAsync("run", "--rm", "--network", "none", "--entrypoint", "/bin/ls", image.Reference, "/app");

        Assert.True(files.ExitCode == 0, files.Output);
        var names = files.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("model-runtime", names);
        Assert.Contains("libonnxruntime.so", names);
        Assert.Contains("libonnxruntime_providers_shared.so", names);
        Assert.DoesNotContain("libonnxruntime_providers_cuda.so", names);
        Assert.DoesNotContain("libonnxruntime_providers_tensorrt.so", names);
    }

    [ContainerEngineFact]
    public async Task CpuRuntimeImage_ServesAReadOnlyMountedModel_AsUid65532_AndCannotWriteItsRoot()
    {
        var image = await images.GetAsync("model-runtime");
        var models = RepoPaths.Of(".artifacts", "sample-models");
        Assert.True(File.Exists(Path.Combine(models, "mlp.onnx")), $"sample model missing in {models}: run `make sample-models`");
        var port = FreePort.Next();
        var name = $"images-test-{Guid.NewGuid():N}"[..24];

        var started = await ContainerEngine.RunAsync("run", "-d", "--rm", "--name", name, "--network", "host", "--read-only", "--tmpfs", "/tmp",
            "-v", $"{models}:/models:ro", image.Reference,
            "serve", "--model", "/models/mlp.onnx", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--grpc-port", "0", "--bench-iterations", "0");
        try
        {
            Assert.True(started.ExitCode == 0, started.Output);
            using var http = new HttpClient();
            await Eventually.TrueAsync(async () =>
            {
                try { return (await http.GetAsync($"http://127.0.0.1:{port}/v2/health/ready")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, "the runtime container to turn ready", TimeSpan.FromSeconds(120));
            var infer = await http.PostAsync($"http://127.0.0.1:{port}/v2/models/mlp/infer", new StringContent(
                """{"inputs":[{"name":"features","shape":[1,16],"datatype":"FP32","data":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1,1.2,1.3,1.4,1.5,1.6]}]}""", System.Text.Encoding.UTF8, "application/json"));
            var uid = await ContainerEngine.RunAsync("exec", name, "id", "-u");
            var write = await ContainerEngine.RunAsync("exec", name, "touch", "/app/written");

            Assert.Equal("65532", uid.Stdout.Trim());
            Assert.NotEqual(0, write.ExitCode);
            Assert.Contains("Read-only file system", write.Output);
            Assert.True(infer.IsSuccessStatusCode, $"inference answered {(int)infer.StatusCode}: {await infer.Content.ReadAsStringAsync()}");
        }
        finally
        {
            var logs = await ContainerEngine.RunAsync("logs", name);
            await ContainerEngine.RunAsync("rm", "-f", name);
            Console.WriteLine(logs.Output);
        }
    }
}
