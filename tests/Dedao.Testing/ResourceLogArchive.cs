// Ours: Aspire.Hosting.Testing forwards consoles to ILogger by resource name, which mixes replicas, and .NET ships no file logger.
using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;

namespace Dedao.Testing;

/// <summary>
/// Writes every line of every resource instance's console, without colours, to a file of its own:
/// <c>&lt;folder&gt;/&lt;instance&gt;.log</c>, where a resource of one instance is its name and each replica its own
/// (<c>column-abcdefgh</c>). Under Aspire.Hosting.Testing the consoles live in the test's memory and are gone when it
/// ends, so a test that fails in CI would otherwise leave nothing to say what the services were doing;
/// <c>eng/resource-logs.sh</c> prints their warnings.
/// </summary>
public sealed class ResourceLogArchive(string folder, ResourceNotificationService notifications, ResourceLoggerService logs)
    : BackgroundService
{
    /// <summary>Where <see cref="TestAppModel"/> keeps the consoles of every model a test run builds, when it is set.</summary>
    public const string FolderVariable = "DEDAO_RESOURCE_LOGS";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var archiving = new Dictionary<string, Task>();
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (!archiving.ContainsKey(update.ResourceId))
                {
                    // An instance's id is its resource's name and a suffix; the suffix names a file only among replicas.
                    var file = update.Resource.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) && replicas.Replicas > 1
                        ? update.ResourceId
                        : update.Resource.Name;
                    archiving[update.ResourceId] = ArchiveAsync(update.ResourceId, file, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(archiving.Values);
    }

    private async Task ArchiveAsync(string resourceId, string file, CancellationToken stoppingToken)
    {
        StreamWriter? writer = null;
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(stoppingToken))
            {
                // Flushed line by line, and made at the first line: a test host that CI kills mid-run still leaves what
                // was written, and a resource with nothing to say (a parameter) leaves no empty file.
                writer ??= new StreamWriter(new FileStream(Path.Combine(Directory.CreateDirectory(folder).FullName, file + ".log"),
                    FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
                foreach (var line in batch)
                {
                    await writer.WriteLineAsync(AsFileLine(line.Content));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The line as the resource wrote it, after the time DCP read it. What Aspire itself logs for a resource ("Failed to
    /// create resource …" and its exception) is one line with newlines in it; each gets the first one's time, so that
    /// the file can be sorted by time line by line.
    /// </summary>
    private static string AsFileLine(string content)
    {
        var line = ConsoleColours.Remove(content);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var time = space > 0 && DateTimeOffset.TryParse(line.AsSpan(0, space), CultureInfo.InvariantCulture, out _) ? line[..(space + 1)] : "";
        return line.TrimEnd('\r', '\n').ReplaceLineEndings("\n" + time);
    }
}
