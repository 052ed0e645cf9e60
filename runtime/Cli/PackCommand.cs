using ModelOperator.Runtime.Packaging;

namespace ModelOperator.Runtime.Cli;

/// <summary><c>pack &lt;model.onnx&gt; --name N --version V [--optimize] -o &lt;dir&gt;</c>: writes a model package as an OCI image layout.</summary>
internal sealed class PackCommand : ICliCommand
{
    public string Name => "pack";
    public string Summary => "pack <model.onnx> --name N --version V [--description D] [--license L] [--label k=v]... [--optimize] -o <dir> [--force]";

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
            args.Option("description"), args.Option("license"), labels, args.Flag("optimize"), args.Flag("force"));
        args.RejectUnknown();
        return CommandErrors.RunAsync(Name, async () =>
        {
            var result = await ModelPacker.PackAsync(request, cancellationToken);
            Console.WriteLine($"Packed {result.Config.Descriptor.Name} {result.Config.Descriptor.Version} " +
                $"({result.ModelSize} bytes{(request.Optimize ? ", optimised" : "")}) into {result.OutputDir}: {result.ManifestDigest}");
            return 0;
        });
    }
}
