using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Dedao.Hosting.Orchestration;

namespace Dedao.EndToEnd.Tests;

/// <summary>The AppHost as a user runs it: a process that says when it is ready and stops everything on SIGTERM.</summary>
[Collection(Platform.Name)]
public sealed partial class AppHostProcessTests
{
    [Fact]
    public async Task The_apphost_reports_ready_and_sigterm_stops_every_resource_within_15_seconds()
    {
        var info = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location,
            "--AppHost:Ephemeral=true", "--AppHost:RandomizePorts=true", "--AppHost:Quiet=true"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var apphost = Process.Start(info)!;
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        apphost.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && ReadyLine().Match(line) is { Success: true } match)
            {
                ready.TrySetResult(match.Groups["dashboard"].Value);
            }
        };
        apphost.BeginOutputReadLine();
        apphost.BeginErrorReadLine();

        try
        {
            var dashboard = await ready.Task.WaitAsync(TimeSpan.FromMinutes(3));
            using var client = new HttpClient { BaseAddress = new Uri(dashboard) };
            var resources = await client.GetFromJsonAsync<ResourceSnapshot[]>("/api/resources");
            var pids = resources!.Where(r => r.Pid is not null).Select(r => r.Pid!.Value).ToList();
            Assert.True(pids.Count >= 11, $"expected the servers and services to run as processes, found {pids.Count}");

            var clock = Stopwatch.StartNew();
            using (var term = Process.Start("kill", ["-TERM", apphost.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            await apphost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
            Assert.Equal(0, apphost.ExitCode);
            Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} outlived the AppHost"));
        }
        finally
        {
            if (!apphost.HasExited)
            {
                apphost.Kill(entireProcessTree: true);
            }
        }
    }

    [GeneratedRegex(@"ready in [\d.]+ s: .*dashboard (?<dashboard>http://\S+)")]
    private static partial Regex ReadyLine();
}
