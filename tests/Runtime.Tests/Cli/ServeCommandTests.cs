using ModelOperator.Runtime.Cli;
using ModelOperator.Runtime.Inference;
using Xunit;

namespace ModelOperator.Runtime.Tests.Cli;

/// <summary>The serve command line, written exactly as the operator's pods run it.</summary>
public sealed class ServeCommandTests
{
    private static string[] Args(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void OperatorCommandLine_ParsesEveryOption()
    {
        var options = ServeCommand.Parse(Args(
            "--model oci://registry.local/models/mnist:v2 --name mnist --port 8080 --device cuda --max-batch 16 --batch-delay-ms 3 " +
            "--bench-batch 1,8 --bench-iterations 50 --shutdown-delay 5 --bench-warmup 5 --bench-input-shape image=1,3,28,28 --plain-http " +
            "--ca-file /etc/model-runtime/ca/ca.crt --sha256 sha256:" + new string('a', 64)));

        Assert.Equal("oci://registry.local/models/mnist:v2", options.Model);
        Assert.Equal("mnist", options.Name);
        Assert.Equal(8080, options.Port);
        Assert.Equal(DeviceKind.Cuda, options.Device);
        Assert.Equal(16, options.MaxBatch);
        Assert.Equal(TimeSpan.FromMilliseconds(3), options.BatchDelay);
        Assert.Equal([1, 8], options.BenchBatchSizes);
        Assert.Equal(50, options.BenchIterations);
        Assert.Equal(5, options.BenchWarmup);
        Assert.True(options.PlainHttp);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ShutdownDelay);
        Assert.True(options.WarmUp);
        Assert.Equal([1L, 3, 28, 28], options.BenchInputShapes["image"]);
        Assert.Equal("/etc/model-runtime/ca/ca.crt", options.CaFile);
        Assert.Equal("sha256:" + new string('a', 64), options.Sha256);
    }

    [Fact]
    public void NodeCacheOptions_NameTheSharedFolderAndItsLimit()
    {
        var options = ServeCommand.Parse(Args("--model oci://registry.local/models/mnist@sha256:" + new string('a', 64) +
            " --model-cache-dir /var/cache/model-runtime-node --model-cache-max-bytes 10737418240"));

        Assert.Equal(("/var/cache/model-runtime-node", 10737418240L), (options.ModelCacheDir, options.ModelCacheMaxBytes));
        Assert.Null(ServeCommand.Parse(Args("--model oci://r/m:1")).ModelCacheDir);
    }

    [Fact]
    public void AnOptionGivenTwice_TakesTheLastValue_AsGnuToolsDo()
    {
        var options = ServeCommand.Parse(Args("--model a.onnx --max-batch 4 --model b.onnx --max-batch=16 --bench-batch 1 --bench-batch 2,4"));

        Assert.Equal(("b.onnx", 16), (options.Model, options.MaxBatch));
        Assert.Equal([2, 4], options.BenchBatchSizes);
    }

    [Theory]
    [InlineData("", 0.0, true)]
    [InlineData("--shutdown-delay 5 --no-warm-up", 5.0, false)]
    [InlineData("--shutdown-delay=0.5", 0.5, true)]
    public void ShutdownDelayAndWarmUp_DefaultToNoneAndOn(string option, double seconds, bool warmUp)
    {
        var options = ServeCommand.Parse(Args($"--model m.onnx {option}"));

        Assert.Equal((TimeSpan.FromSeconds(seconds), warmUp), (options.ShutdownDelay, options.WarmUp));
    }

    [Theory]
    [InlineData("", 8081)]
    [InlineData("--grpc-port 9001", 9001)]
    [InlineData("--grpc-port 0", null)]
    public void GrpcPort_DefaultsTo8081_AndZeroTurnsItOff(string option, int? expected)
    {
        var options = ServeCommand.Parse(Args($"--model m.onnx {option}"));

        Assert.Equal(expected, options.GrpcPort);
    }

    [Theory]
    [InlineData("--model m.onnx", null, "0.0.0.0")]
    [InlineData("--model m.onnx", "127.10.0.7", "127.10.0.7")]
    [InlineData("--model m.onnx", "", "0.0.0.0")]
    [InlineData("--model m.onnx --host 127.0.0.1", "127.10.0.7", "127.0.0.1")]
    public void BindAddress_ComesFromHost_ElseModelRuntimeHost_ElseAllInterfaces(string line, string? variable, string expected)
    {
        var options = ServeCommand.Parse(Args(line), name => name == ServeCommand.HostVariable ? variable : null);

        Assert.Equal(expected, options.Host);
    }

    [Theory]
    [InlineData("--model s3://models/m.onnx --s3-endpoint http://minio:9000 --s3-region eu-west-1 --s3-force-path-style", null, "http://minio:9000", "eu-west-1", true)]
    [InlineData("--model s3://models/m.onnx", null, "http://ceph:7480", "eu-central-1", true)]
    [InlineData("--model s3://models/m.onnx --s3-endpoint http://minio:9000 --s3-region us-west-2", "false", "http://minio:9000", "us-west-2", false)]
    [InlineData("--model m.onnx", null, null, null, null)]
    public void S3Settings_ComeFromFlags_ElseTheAwsEnvironment_OnlyForS3Models(string line, string? pathStyleVariable, string? endpoint, string? region, bool? pathStyle)
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL_S3"] = "http://ceph:7480", ["AWS_REGION"] = "eu-central-1",
            ["MODEL_RUNTIME_S3_FORCE_PATH_STYLE"] = pathStyleVariable ?? "true",
        };

        var options = ServeCommand.Parse(Args(line), name => environment.GetValueOrDefault(name));

        Assert.Equal((endpoint, region, pathStyle), (options.S3?.Endpoint, options.S3?.Region, options.S3?.ForcePathStyle));
    }

    [Theory]
    [InlineData("--model m.onnx --s3-region eu-west-1", "--s3-region applies only to s3:// models, not 'm.onnx'")]
    [InlineData("--model s3://models/m.onnx --s3-endpoint minio", "the S3 endpoint 'minio' must be an http:// or https:// URL")]
    [InlineData("--model s3://models/m.onnx --s3-region EU_WEST", "the S3 region 'EU_WEST' must be a region name")]
    [InlineData("--model m.onnx --grpc-port 70000", "--grpc-port must be an integer between 0 and 65535")]
    [InlineData("--model m.onnx --device tpu", "--device must be auto, cuda or cpu")]
    [InlineData("--model m.onnx --max-batch 0", "--max-batch must be an integer between 1")]
    [InlineData("--model m.onnx --bench-batch 1,x", "--bench-batch must be a comma-separated list")]
    [InlineData("--model m.onnx --max-batchsize 4", "unknown option '--max-batchsize' (did you mean --max-batch?)")]
    [InlineData("--model m.onnx --shutdown-delay -1", "--shutdown-delay must be a number between 0 and 600, got '-1'")]
    [InlineData("--model m.onnx --shutdown-delay 601", "--shutdown-delay must be a number between 0 and 600, got '601'")]
    [InlineData("--port 8080", "option '--model' is required")]
    [InlineData("--model m.onnx --model-cache-dir /var/cache/models", "--model-cache-dir applies only to oci:// models, not 'm.onnx'")]
    [InlineData("--model oci://r/m:1 --model-cache-max-bytes 1000", "--model-cache-max-bytes needs --model-cache-dir")]
    [InlineData("--model oci://r/m:1 --model-cache-dir /c --model-cache-max-bytes 0", "--model-cache-max-bytes must be an integer")]
    public void BadCommandLine_IsAUsageError_SayingWhatIsWrong(string line, string expected)
    {
        var error = Assert.Throws<CliUsageException>(() => ServeCommand.Parse(Args(line)));

        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("/models/resnet50.onnx", "resnet50")]
    [InlineData("file:///srv/models/bert-base.onnx", "bert-base")]
    [InlineData("oci://registry:5000/team/mnist:v3", "mnist")]
    [InlineData("oci://registry/team/mnist@sha256:abc", "mnist")]
    [InlineData("https://example.com/models/yolo.onnx", "yolo")]
    [InlineData("s3://models/vision/resnet.onnx", "resnet")]
    [InlineData("s3://models/vision/mnist/", "mnist")]
    public void ServedName_DefaultsToTheModelsFileOrRepositoryName(string reference, string expected) =>
        Assert.Equal(expected, ModelOperator.Runtime.Server.ServedModel.NameFromReference(reference));
}
