using System.CommandLine;
using ModelOperator.Cli;
using ModelOperator.Operator.Crd;

namespace ModelOperator.Operator.Cli;

/// <summary><c>model-operator crds [--output DIR]</c>: writes the CRD generated from the API types.</summary>
internal sealed class CrdsCommand : Command
{
    private readonly Option<string> _output = new Option<string>("--output", "-o")
    {
        Description = "The directory the CRD file is written to", HelpName = "DIR", DefaultValueFactory = _ => "crds",
    }.LastWins();

    public CrdsCommand() : base("crds", "Write the ModelDeployment CRD generated from the API types")
    {
        Options.Add(_output);
        SetAction(result =>
        {
            var directory = result.GetRequiredValue(_output);
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, CrdGenerator.CrdName + ".yaml");
            File.WriteAllText(path, CrdGenerator.GenerateYaml());
            Console.WriteLine($"wrote {path}");
            return 0;
        });
    }
}
