using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ModelOperator.Runtime.Tests.Infrastructure;

/// <summary>What a server logged at warning level and above, to assert that a client's mistakes never reach the log as errors.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    /// <summary>Each entry as <c>Level Category: message</c>, with the exception's type when there was one.</summary>
    public IReadOnlyCollection<string> Entries => _entries;

    /// <summary>Error and critical entries only.</summary>
    public IReadOnlyList<string> Errors => _entries.Where(e => e.StartsWith("Error ", StringComparison.Ordinal) || e.StartsWith("Critical ", StringComparison.Ordinal)).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                logs._entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name})")}");
        }
    }
}
