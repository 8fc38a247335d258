using System.Diagnostics;
using Xunit.Abstractions;

namespace Dedao.EndToEnd.Tests;

/// <summary>
/// The AppHost as a user runs it, stopped as the system stops it (SIGKILL) or as a user does (SIGTERM, checked at the
/// end of the dashboard browser test, which saves the suite a boot of the platform).
/// </summary>
public sealed class AppHostProcessTests(ITestOutputHelper output)
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    /// <summary>DCP cleans up after the AppHost exits, and stops a server or service gracefully before it kills it.</summary>
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Sigkill_of_the_apphost_leaves_none_of_its_processes_behind()
    {
        await using var apphost = await AppHostProcess.StartServingAsync(output, StartTimeout);
        AssertStartedTheWholePlatform(apphost, output);

        var clock = Stopwatch.StartNew();
        await apphost.SignalAsync("KILL");
        Assert.NotNull(await apphost.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        // DCP watches the AppHost's pid: nobody tells it to stop, yet it stops everything.
        await apphost.WaitUntilNoneLeftAsync(CleanupTimeout);

        output.WriteLine($"SIGKILL to no process left: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>SIGTERM: the AppHost exits with 0 within 15 s, its ephemeral state deleted, and DCP then stops everything it ran.</summary>
    internal static async Task AssertSigtermStopsEverythingAsync(AppHostProcess apphost, ITestOutputHelper output)
    {
        AssertStartedTheWholePlatform(apphost, output);
        var clock = Stopwatch.StartNew();
        await apphost.SignalAsync("TERM");
        var exitCode = await apphost.WaitForExitAsync(TimeSpan.FromSeconds(15));
        var exited = clock.Elapsed;
        Assert.True(exitCode is not null, $"the AppHost still runs 15 s after SIGTERM{Environment.NewLine}{apphost.ConsoleText()}");
        Assert.Equal(0, exitCode);
        // Its ephemeral state (data and generated secrets) goes with it.
        Assert.Empty(Directory.GetDirectories(apphost.RunFolder, "dedao-apphost-*"));
        await apphost.WaitUntilNoneLeftAsync(CleanupTimeout);

        output.WriteLine($"SIGTERM to AppHost exit: {exited.TotalSeconds:0.0} s; to no process left: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The processes recorded are DCP's, the dashboard's and the services', not just the AppHost's.</summary>
    private static void AssertStartedTheWholePlatform(AppHostProcess apphost, ITestOutputHelper output)
    {
        var processes = apphost.RecordedProcesses;
        output.WriteLine($"{processes.Count} processes:{Environment.NewLine}{string.Join(Environment.NewLine, processes)}");
        foreach (var expected in new[] { "dcp", "Aspire.Dashboard", "Dedao.Gateway", "Dedao.Passport" })
        {
            Assert.True(processes.Any(p => p.CommandLine.Split(' ')[0].EndsWith($"/{expected}", StringComparison.Ordinal)),
                $"no {expected} process among the AppHost's");
        }
    }
}
