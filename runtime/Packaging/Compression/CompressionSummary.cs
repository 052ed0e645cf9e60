using System.Text;

namespace ModelOperator.Runtime.Packaging.Compression;

/// <summary>The human-readable form of a <see cref="CompressionReport"/>, printed by <c>pack</c> and <c>inspect</c>.</summary>
internal static class CompressionSummary
{
    public static string ToText(CompressionReport r)
    {
        var text = new StringBuilder();
        text.AppendLine($"Compression  {r.Method} of sha256:{r.SourceSha256}");
        text.AppendLine($"  size       {r.Size} of {r.SourceSize} bytes (ratio {r.SizeRatio:0.###})");
        text.AppendLine($"  speed      {r.SpeedRatio:0.##}x the original on {r.SpeedMeasuredOn} ({r.MsPerSample:0.###} ms vs {r.SourceMsPerSample:0.###} ms per sample)");
        text.AppendLine($"  inputs     {r.Inputs}");
        foreach (var o in r.Outputs)
            text.AppendLine($"  output     {o.Name}: max |diff| {o.MaxAbsDifference:G4}" +
                (o.Top1Agreement is { } t ? $", top-1 agreement {t:P1} of {o.Rows} rows" : ""));
        text.AppendLine($"  rewritten  {r.RewrittenOperators} operators");
        foreach (var d in r.Done ?? []) text.AppendLine($"  done       {d}");
        foreach (var f in r.LeftFloat) text.AppendLine($"  left float {f}");
        if (r.Note is not null) text.AppendLine($"  note       {r.Note}");
        return text.ToString();
    }
}
