using System.Globalization;
using ModelOperator.Runtime.Packaging;
using ModelOperator.Runtime.Packaging.Compression;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>pack &lt;model.onnx&gt; --name N --version V [--optimize] -o &lt;dir&gt;</c>: writes a model package as an OCI image layout.</summary>
internal sealed class PackCommand : ICliCommand
{
    public string Name => "pack";
    public string Summary => "pack <model.onnx> --name N --version V [--description D] [--license L] [--label k=v]... [--optimize] [--quantize int8 | --fp16] [--input-shape NAME=d1,d2,...]... [--calibration DIR] [--max-drift X] -o <dir> [--force]";

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positionals.Count != 1) throw new CliUsageException("expected exactly one ONNX file: pack <model.onnx> --name N --version V -o <dir>");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in args.Options("label"))
        {
            var eq = label.IndexOf('=');
            if (eq <= 0) throw new CliUsageException($"--label must be key=value, got '{label}'");
            labels[label[..eq]] = label[(eq + 1)..];
        }
        var request = new PackRequest(args.Positionals[0], args.Required("name"), args.Required("version"), args.Required("output"),
            args.Option("description"), args.Option("license"), labels, args.Flag("optimize"), args.Flag("force"),
            CompressionOptions(args), InputShapes(args));
        args.RejectUnknown();
        return CommandErrors.RunAsync(Name, async () =>
        {
            var result = await ModelPacker.PackAsync(request, cancellationToken);
            Console.WriteLine($"Packed {result.Config.Descriptor.Name} {result.Config.Descriptor.Version} " +
                $"({result.ModelSize} bytes{(request.Optimize ? ", optimised" : "")}) into {result.OutputDir}: {result.ManifestDigest}");
            if (result.Config.Config.Compression is { } report) Console.Write(CompressionSummary.ToText(report));
            return 0;
        });
    }

    private static CompressionRequest? CompressionOptions(CliArgs args)
    {
        var quantize = args.Option("quantize");
        var fp16 = args.Flag("fp16");
        if (quantize is not null && quantize != "int8") throw new CliUsageException($"--quantize takes 'int8', got '{quantize}'");
        if (quantize is not null && fp16) throw new CliUsageException("--quantize int8 and --fp16 are two variants; pack each on its own");
        var maxDrift = args.Option("max-drift") is null ? (double?)null : args.Double("max-drift", 0, min: 0);
        var calibration = args.Option("calibration");
        if (quantize is null && !fp16)
        {
            if (maxDrift is not null || calibration is not null)
                throw new CliUsageException("--max-drift and --calibration check a compressed model; add --quantize int8 or --fp16");
            return null;
        }
        return new CompressionRequest(fp16 ? CompressionMethod.Fp16 : CompressionMethod.Int8, maxDrift, calibration);
    }

    /// <summary>Parses each <c>--input-shape NAME=d1,d2,…</c> (positive integers).</summary>
    internal static IReadOnlyDictionary<string, long[]>? InputShapes(CliArgs args)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var option in args.Options("input-shape"))
        {
            var eq = option.LastIndexOf('=');
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
