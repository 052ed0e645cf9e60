using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ModelOperator.Operator.Crd;

/// <summary>
/// The summaries of the API types' XML documentation comments, read from the documentation file the compiler writes
/// beside the assembly, as one line of plain text each: the one source of the CRD's field descriptions.
/// </summary>
internal sealed partial class XmlDocumentation
{
    private readonly Dictionary<string, string> _summaries;

    private XmlDocumentation(Dictionary<string, string> summaries) => _summaries = summaries;

    /// <summary>The documentation of <paramref name="assembly"/>; fails naming the file when the build did not write it.</summary>
    public static XmlDocumentation For(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: build the operator with GenerateDocumentationFile (ModelOperator.csproj sets it) so the CRD carries descriptions", path);
        var summaries = XDocument.Load(path).Descendants("member")
            .Where(m => m.Element("summary") is not null)
            .ToDictionary(m => (string)m.Attribute("name")!, m => Plain(m.Element("summary")!));
        return new XmlDocumentation(summaries);
    }

    /// <summary>The summary of a type, or null.</summary>
    public string? Of(Type type) => _summaries.GetValueOrDefault("T:" + type.FullName);

    /// <summary>The summary of a property, or null.</summary>
    public string? Of(PropertyInfo property) => _summaries.GetValueOrDefault($"P:{property.DeclaringType!.FullName}.{property.Name}");

    private static string Plain(XElement summary)
    {
        var text = string.Concat(summary.Nodes().Select(Text));
        return Whitespace().Replace(text, " ").Trim();
    }

    private static string Text(XNode node) => node switch
    {
        XText t => t.Value,
        XElement { Name.LocalName: "see" or "seealso" } e =>
            e.Value is { Length: > 0 } v ? v : ((string?)e.Attribute("cref") ?? (string?)e.Attribute("langword") ?? "").Split('.', ':')[^1],
        XElement e => string.Concat(e.Nodes().Select(Text)),
        _ => "",
    };

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
