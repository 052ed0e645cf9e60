using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ModelOperator.Operator.Tests.Platform;

/// <summary>
/// Each image gets what its Dockerfile expects: the Dockerfile's own <c>dotnet publish</c> (the one <c>make images</c>
/// runs) produces the ENTRYPOINT, the files the final stage removes (so no rm is stale) and the ONNX Runtime native
/// libraries the image needs, and the published entrypoint starts. Without docker: the publish runs here.
/// </summary>
public sealed class DockerfilePublishTests(PublishedOutputs outputs) : IClassFixture<PublishedOutputs>
{
    [Theory]
    [InlineData("runtime/Dockerfile", new[] { "libonnxruntime.so", "libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so" })]
    [InlineData("runtime/Dockerfile.cpu", new[] { "libonnxruntime.so", "libonnxruntime_providers_shared.so" })]
    [InlineData("operator/Dockerfile", new string[0])]
    public async Task DockerfilesPublish_ProducesEverythingTheImageCopiesAndStarts(string dockerfile, string[] nativeLibraries)
    {
        var image = DockerfileImage.Parse(await File.ReadAllTextAsync(RepoPaths.Of(dockerfile)));
        Assert.Equal(image.PublishOutput.TrimEnd('/'), image.CopiedFrom);

        var published = await outputs.PublishAsync(image.PublishArguments, image.PublishOutput);
        string Local(string imagePath) => imagePath.StartsWith(image.CopiedTo + "/", StringComparison.Ordinal)
            ? Path.Combine(published, imagePath[(image.CopiedTo.Length + 1)..])
            : throw new Xunit.Sdk.XunitException($"{dockerfile}: {imagePath} is not under {image.CopiedTo}, where the publish output goes");

        foreach (var removed in image.Removed)
            Assert.True(File.Exists(Local(removed)), $"{dockerfile} removes {removed}, which the publish no longer produces");
        foreach (var library in nativeLibraries)
            Assert.True(File.Exists(Path.Combine(published, library)), $"{dockerfile}: the publish lacks {library}");
        Assert.All(nativeLibraries, l => Assert.DoesNotContain(image.CopiedTo + "/" + l, image.Removed));

        // The entrypoint: an apphost of a self-contained publish, or `dotnet app.dll` on a base image with that framework.
        ProcessStartInfo start;
        if (image.Entrypoint[0] == "dotnet")
        {
            var dll = Local(image.Entrypoint[1]);
            Assert.True(File.Exists(dll), $"{dockerfile}: ENTRYPOINT runs {image.Entrypoint[1]}, which the publish lacks");
            var frameworks = JsonNode.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(dll, ".runtimeconfig.json")))!["runtimeOptions"]!["frameworks"]!
                .AsArray().Select(f => f!["name"]!.ToString()).ToList();
            // mcr.microsoft.com/dotnet/aspnet carries Microsoft.NETCore.App and Microsoft.AspNetCore.App, runtime only the first.
            var provided = image.BaseImage.StartsWith("mcr.microsoft.com/dotnet/aspnet:", StringComparison.Ordinal)
                ? new[] { "Microsoft.NETCore.App", "Microsoft.AspNetCore.App" } : ["Microsoft.NETCore.App"];
            Assert.All(frameworks, f => Assert.True(provided.Contains(f), $"{dockerfile}: the app needs {f}, which {image.BaseImage} does not carry"));
            start = new ProcessStartInfo("dotnet") { ArgumentList = { dll } };
        }
        else
        {
            var program = Local(image.Entrypoint[0]);
            Assert.True(File.Exists(program), $"{dockerfile}: ENTRYPOINT {image.Entrypoint[0]} is not in the publish");
            Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(program).HasFlag(UnixFileMode.UserExecute), $"{dockerfile}: {image.Entrypoint[0]} is not executable");
            Assert.NotNull(JsonNode.Parse(await File.ReadAllTextAsync(program + ".runtimeconfig.json"))!["runtimeOptions"]!["includedFrameworks"]); // self-contained
            start = new ProcessStartInfo(program);
        }
        start.ArgumentList.Add("--version");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(limit.Token);
        Assert.True(process.ExitCode == 0, $"{dockerfile}: the published entrypoint with --version exited {process.ExitCode}: {output}");
        Assert.Matches(@"^model-(runtime|operator) \S+", output);
    }

    [Fact]
    public void Parse_TheCpuDockerfile_ReadsItsPublishCopyRemovalsAndEntrypoint()
    {
        var image = DockerfileImage.Parse(File.ReadAllText(RepoPaths.Of("runtime", "Dockerfile.cpu")));

        Assert.Equal(["runtime", "-c", "Release", "-r", "linux-x64", "--self-contained", "-o", "/out"], image.PublishArguments);
        Assert.Equal(("/out", "/app"), (image.CopiedFrom, image.CopiedTo));
        Assert.Equal(["/app/libonnxruntime_providers_cuda.so", "/app/libonnxruntime_providers_tensorrt.so"], image.Removed);
        Assert.Equal("mcr.microsoft.com/dotnet/runtime-deps:10.0", image.BaseImage);
        Assert.Equal(["/app/model-runtime"], image.Entrypoint);
    }

    [Fact]
    public void Parse_ADockerfileWithoutAPublish_SaysSo()
    {
        var error = Assert.Throws<FormatException>(() => DockerfileImage.Parse("FROM sdk AS build\nRUN make\nFROM base\nCOPY --from=build /out /app\nENTRYPOINT [\"/app/x\"]\n"));

        Assert.Equal("the build stage runs no dotnet publish", error.Message);
    }
}
