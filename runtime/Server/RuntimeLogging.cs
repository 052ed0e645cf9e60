namespace ModelOperator.Runtime.Server;

/// <summary>Structured logs: one JSON object per line when output is not a terminal (pods, CI), readable lines when it is.</summary>
internal static class RuntimeLogging
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The gRPC framework logs each call a client got wrong (a status raised by the service) at information level:
        // an unauthenticated client could fill the log with them.
        logging.AddFilter("Grpc", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        if (Console.IsOutputRedirected)
            logging.AddJsonConsole(o => { o.IncludeScopes = false; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ"; o.UseUtcTimestamp = true; });
        else
            logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
    }
}
