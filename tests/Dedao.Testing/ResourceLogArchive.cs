// Ours: Aspire.Hosting.Testing forwards each resource's console to ILogger, and .NET ships no logger that writes files.
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dedao.Testing;

/// <summary>
/// Writes every line of every resource's console, without colours, to a file of its own:
/// <c>&lt;folder&gt;/&lt;resource&gt;.log</c>, which the replicas of a project share. Under Aspire.Hosting.Testing the
/// consoles live in the test's memory and are gone when it ends, so a test that fails in CI would otherwise leave nothing
/// to say what the services were doing; <c>eng/resource-logs.sh</c> prints their warnings.
/// </summary>
public sealed class ResourceLogArchive(string folder) : ILoggerProvider
{
    /// <summary>Where <see cref="TestAppModel"/> keeps the consoles of every model a test run builds, when it is set.</summary>
    public const string FolderVariable = "DEDAO_RESOURCE_LOGS";

    // Aspire names the logger of a resource's console "<application>.Resources.<resource>".
    private const string ResourcesCategory = ".Resources.";

    private readonly ConcurrentDictionary<string, ResourceLog> _logs = new();

    public ILogger CreateLogger(string categoryName)
    {
        var at = categoryName.IndexOf(ResourcesCategory, StringComparison.Ordinal);
        return at < 0
            ? NullLogger.Instance
            : _logs.GetOrAdd(categoryName[(at + ResourcesCategory.Length)..],
                resource => new ResourceLog(Path.Combine(Directory.CreateDirectory(folder).FullName, resource + ".log")));
    }

    public void Dispose()
    {
        foreach (var log in _logs.Values)
        {
            log.Dispose();
        }
    }

    private sealed class ResourceLog(string path) : ILogger, IDisposable
    {
        private readonly Lock _lock = new();
        private StreamWriter? _writer;
        private bool _disposed;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The line as the resource wrote it (after the time DCP read it), not Aspire's "<number>: <line>".
            var line = ConsoleColours.Remove(state is IReadOnlyList<KeyValuePair<string, object?>> values
                && values.FirstOrDefault(value => value.Key == "LineContent").Value is string content
                ? content
                : formatter(state, exception));
            // What Aspire itself logs for a resource ("Failed to create resource …" and its exception) is one line with
            // newlines in it; each gets the first one's time, so that the file can be sorted by time line by line.
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var time = space > 0 && DateTimeOffset.TryParse(line.AsSpan(0, space), CultureInfo.InvariantCulture, out _) ? line[..(space + 1)] : "";
            line = line.TrimEnd('\r', '\n').ReplaceLineEndings("\n" + time);
            lock (_lock)
            {
                if (_disposed)
                {
                    return;
                }

                // Flushed line by line: a test host that CI kills mid-run still leaves what was written.
                _writer ??= new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
                _writer.WriteLine(line);
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _disposed = true;
                _writer?.Dispose();
            }
        }
    }
}
