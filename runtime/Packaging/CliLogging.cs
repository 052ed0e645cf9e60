using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Packaging;

/// <summary>Logging for the packaging commands: to stderr, JSON when not on a terminal, so stdout carries only results.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(bool quiet = false) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(quiet ? LogLevel.Warning : LogLevel.Information);
        if (Console.IsOutputRedirected || Console.IsErrorRedirected)
            builder.AddJsonConsole(o => { o.IncludeScopes = false; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; o.UseUtcTimestamp = true; });
        else
            builder.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
