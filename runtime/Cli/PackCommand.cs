using System.CommandLine;
using System.Globalization;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Packaging.Compression;
using ModelOperator.Cli;
using ModelOperator.Runtime.Store.S3;
using static ModelOperator.Runtime.Cli.CliOptions;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>pack &lt;model.onnx&gt; --name N --version V [--optimize] -o &lt;dir&gt;</c>: writes a model package as an OCI image layout.</summary>
internal sealed class PackCommand : Command
{
    private readonly Argument<string> _model = new("model.onnx") { Description = "The ONNX model to pack: a path, or s3://bucket/key.onnx" };
    private readonly Option<string> _name = Text("--name", "The package's name", "NAME", required: true);
    private readonly Option<string> _version = Text("--version", "The package's version", "VERSION", required: true);
    private readonly Option<string> _output = new Option<string>("--output", "-o") { Description = "The directory the OCI image layout is written to", HelpName = "DIR", Required = true }.LastWins();
    private readonly Option<string> _description = Text("--description", "A description recorded in the package", "TEXT");
    private readonly Option<string> _license = Text("--license", "A license recorded in the package (an SPDX id such as MIT)", "SPDX");
    private readonly Option<string[]> _labels = Repeated("--label", "A label recorded in the package (repeatable)", "KEY=VALUE").Checked(values => ParseLabels(values));
    private readonly Option<bool> _optimize = Flag("--optimize", "Apply ONNX Runtime's offline graph optimisations first");
    private readonly Option<string> _quantize = Text("--quantize", "Pack an int8-quantised variant (checked against the original)", "int8");
    private readonly Option<bool> _fp16 = Flag("--fp16", "Pack an fp16 variant (checked against the original)");
    private readonly Option<string> _calibration = Text("--calibration", "A directory of inputs the compressed variant is checked on", "DIR");
    private readonly Option<double?> _maxDrift = OptionalDouble("--max-drift", "The largest output drift a compressed variant may show", 0);
    private readonly Option<double?> _minAgreement = OptionalDouble("--min-agreement", "The smallest top-1 agreement (0 to 1) every class-score output of a compressed variant must keep", 0, 1);
    private readonly Option<string[]> _inputShapes = Repeated("--input-shape", "The shape an input is benchmarked at, recorded in the package (repeatable)", "NAME=D1,D2,…")
        .Checked(values => InputShapes(values));
    private readonly Option<bool> _force = Flag("--force", "Replace a non-empty output directory");
    private readonly S3CliOptions _s3 = new();

    public PackCommand() : base("pack", "Pack an ONNX model as a model package (an OCI image layout)")
    {
        Arguments.Add(_model);
        foreach (var option in new Option[] { _name, _version, _output, _description, _license, _labels, _optimize, _quantize, _fp16, _calibration, _maxDrift, _minAgreement, _inputShapes, _force })
            Options.Add(option);
        foreach (var option in _s3.All) Options.Add(option);
        _quantize.CompletionSources.Add("int8");
        _quantize.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && r.Tokens[^1].Value != "int8") r.AddError($"--quantize takes 'int8', got '{r.Tokens[^1].Value}'");
        });
        SetAction(RunAsync);
    }

    private async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        using var download = await S3Download.OfAsync(result.GetRequiredValue(_model), _s3.Settings(result, result.GetRequiredValue(_model)), cancellationToken);
        var request = new PackRequest(download?.Path ?? result.GetRequiredValue(_model), result.GetRequiredValue(_name), result.GetRequiredValue(_version),
            result.GetRequiredValue(_output), result.GetValue(_description), result.GetValue(_license), ParseLabels(result.GetValue(_labels) ?? []),
            result.GetValue(_optimize), result.GetValue(_force), CompressionOptions(result), InputShapes(result.GetValue(_inputShapes) ?? []));
        var packed = await ModelPacker.PackAsync(request, cancellationToken);
        Console.WriteLine($"Packed {packed.Config.Descriptor.Name} {packed.Config.Descriptor.Version} " +
            $"({packed.ModelSize} bytes{(request.Optimize ? ", optimised" : "")}) into {packed.OutputDir}: {packed.ManifestDigest}");
        if (packed.Config.Config.Compression is { } report) Console.Write(CompressionSummary.ToText(report));
        return 0;
    }

    private CompressionRequest? CompressionOptions(ParseResult result)
    {
        var int8 = result.GetValue(_quantize) is not null;
        var fp16 = result.GetValue(_fp16);
        var maxDrift = result.GetValue(_maxDrift);
        var minAgreement = result.GetValue(_minAgreement);
        var calibration = result.GetValue(_calibration);
        if (int8 && fp16) throw new CliUsageException("--quantize int8 and --fp16 are two variants; pack each on its own");
        if (!int8 && !fp16)
        {
            if (maxDrift is not null || minAgreement is not null || calibration is not null)
                throw new CliUsageException("--max-drift, --min-agreement and --calibration check a compressed model; add --quantize int8 or --fp16");
            return null;
        }
        return new CompressionRequest(fp16 ? CompressionMethod.Fp16 : CompressionMethod.Int8, maxDrift, calibration, MinAgreement: minAgreement);
    }

    private static Dictionary<string, string> ParseLabels(IReadOnlyList<string> values)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in values)
        {
            var eq = label.IndexOf('=');
            if (eq <= 0) throw new CliUsageException($"--label must be key=value, got '{label}'");
            labels[label[..eq]] = label[(eq + 1)..];
        }
        return labels;
    }

    /// <summary>Parses each <c>--input-shape NAME=d1,d2,…</c> (positive integers).</summary>
    internal static IReadOnlyDictionary<string, long[]>? InputShapes(IReadOnlyList<string> values)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var option in values)
        {
            // The first "=" ends the name: "x=1;x=2" is input x with malformed dims, not an input named "x=1;x".
            var eq = option.IndexOf('=');
            if (eq <= 0) throw new CliUsageException($"--input-shape must be NAME=d1,d2,..., got '{option}'");
            var dims = option[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries);
            var parsed = new long[dims.Length];
            for (var i = 0; i < dims.Length; i++)
                if (!long.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]) || parsed[i] <= 0)
                    throw new CliUsageException($"--input-shape {option[..eq]}: dims must be positive integers separated by commas, got '{option[(eq + 1)..]}'");
            if (!shapes.TryAdd(option[..eq], parsed)) throw new CliUsageException($"--input-shape names '{option[..eq]}' twice");
        }
        return shapes.Count > 0 ? shapes : null;
    }
}
