using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Dedao.Testing;
using Xunit.Abstractions;

namespace Dedao.EndToEnd.Tests;

/// <summary>
/// The AppHost as a user runs it: <c>dotnet Dedao.AppHost.dll</c> with its launch profile's environment, on free ports
/// and ephemeral state. It gets a temp folder of its own (TMPDIR), which DCP's session and the state folder land in:
/// that tells every process and file of this run from those of any other AppHost on the machine, and lets disposal
/// remove whatever is left, whether the test passed or not.
/// </summary>
internal sealed partial class AppHostProcess : IAsyncDisposable
{
    private const int ConsoleTail = 60;
    private const int ProblemsPerResource = 8;
    private static readonly string[] ConsoleFiles = ["_out", "_err"];
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly ConcurrentQueue<string> _console = new();
    private readonly TaskCompletionSource<Uri> _dashboardLogin = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process, string runFolder, Uri gateway, ITestOutputHelper output)
    {
        _process = process;
        RunFolder = runFolder;
        Gateway = gateway;
        _output = output;
    }

    public int Pid => _process.Id;

    /// <summary>This run's TMPDIR.</summary>
    public string RunFolder { get; }

    public Uri Gateway { get; }

    /// <summary>The URL that logs a browser in to the dashboard, as the AppHost prints it.</summary>
    public Task<Uri> DashboardLogin => _dashboardLogin.Task;

    /// <summary>The processes of this run once the gateway served, for <see cref="Survivors"/> to check when they are to be gone.</summary>
    public IReadOnlyList<LinuxProcess> RecordedProcesses { get; private set; } = [];

    private static AppHostProcess Start(ITestOutputHelper output)
    {
        var appHost = typeof(Program).Assembly;
        var appHostDirectory = appHost.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "apphostprojectpath").Value!;
        var runFolder = Directory.CreateTempSubdirectory("dedao-e2e-").FullName;
        var gateway = new Uri($"http://localhost:{FreePort.Next()}");
        var info = new ProcessStartInfo("dotnet")
        {
            // The content root, where the AppHost's appsettings.json is.
            WorkingDirectory = appHostDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { appHost.Location, "--AppHost:Ephemeral=true", $"--AppHost:GatewayPort={gateway.Port}", PlatformFixture.OneColumn })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in AppHostLaunchProfile.EnvironmentOnFreePorts(appHostDirectory))
        {
            info.Environment[name] = value;
        }

        info.Environment["TMPDIR"] = runFolder;
        var process = new Process { StartInfo = info };
        var apphost = new AppHostProcess(process, runFolder, gateway, output);
        process.OutputDataReceived += (_, e) => apphost.OnConsole(e.Data);
        process.ErrorDataReceived += (_, e) => apphost.OnConsole(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output.WriteLine($"AppHost {process.Id}: {string.Join(' ', info.ArgumentList)} (TMPDIR {runFolder})");
        return apphost;
    }

    /// <summary>Starts the AppHost and returns once its gateway serves, with the processes it then runs recorded.</summary>
    public static async Task<AppHostProcess> StartServingAsync(ITestOutputHelper output, TimeSpan timeout)
    {
        var apphost = Start(output);
        try
        {
            var clock = Stopwatch.StartNew();
            await apphost.WaitUntilServingAsync(timeout);
            output.WriteLine($"start to gateway serving: {clock.Elapsed.TotalSeconds:0.0} s");
            apphost.RecordedProcesses = apphost.Processes();
            return apphost;
        }
        catch
        {
            await apphost.DisposeAsync();
            throw;
        }
    }

    /// <summary>Until the gateway answers /health; at once, with the AppHost's console, if the AppHost exits first.</summary>
    private async Task WaitUntilServingAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(5) };
        await Poll.UntilAsync(async () => _process.HasExited || (await client.GetAsync("/health")).IsSuccessStatusCode, timeout,
            () => $"the gateway at {Gateway} never answered /health{Environment.NewLine}{ConsoleText()}");
        if (_process.HasExited)
        {
            Assert.Fail($"the AppHost exited with {_process.ExitCode} before the gateway served{Environment.NewLine}{ConsoleText()}");
        }
    }

    /// <summary>
    /// Every process of this run now: the AppHost, what mentions the run folder in its command line or working folder
    /// (DCP, which leaves the AppHost's process tree, and the servers), and everything under those.
    /// </summary>
    public IReadOnlyList<LinuxProcess> Processes()
    {
        var inRunFolder = RunFolder + Path.DirectorySeparatorChar;
        var all = LinuxProcess.All();
        var roots = all.Where(p => p.Pid == Pid || p.CommandLine.Contains(inRunFolder, StringComparison.Ordinal)
            || p.WorkingDirectory.StartsWith(inRunFolder, StringComparison.Ordinal)).ToList();
        return [.. LinuxProcess.WithDescendants(roots, all).Where(p => p.State != 'Z')];
    }

    /// <summary>Recorded processes still alive, and any process of this run found now.</summary>
    public IReadOnlyList<LinuxProcess> Survivors() => [.. RecordedProcesses.Where(p => p.IsAlive()).UnionBy(Processes(), p => p.Pid)];

    /// <summary>Sends a signal as <c>kill -SIGNAL pid</c> does.</summary>
    public Task SignalAsync(string signal) => LinuxProcess.SignalAsync(Pid, signal);

    /// <summary>The AppHost's exit code, or null if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return _process.ExitCode;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public Task WaitUntilNoneLeftAsync(TimeSpan timeout) => Poll.UntilAsync(() => Survivors().Count == 0, timeout,
        () => $"processes of the AppHost left:{Environment.NewLine}{string.Join(Environment.NewLine, Survivors())}");

    public string ConsoleText() => string.Join(Environment.NewLine, _console);

    /// <summary>Kills whatever of this run is left and deletes its folder; the console's end goes to the test output.</summary>
    public async ValueTask DisposeAsync()
    {
        string problems;
        try
        {
            // Read while DCP still has them: it deletes its session folder once the AppHost is gone.
            problems = ResourceConsoleProblems();
        }
        catch (IOException e)
        {
            // DCP may be deleting that folder right now; disposal goes on to kill and clean up whatever is left.
            problems = $"could not read them: {e.Message}";
        }

        try
        {
            await Poll.UntilAsync(() =>
            {
                var left = Survivors();
                foreach (var process in left)
                {
                    process.Kill();
                }

                return left.Count == 0;
            }, CleanupTimeout, () => $"could not kill:{Environment.NewLine}{string.Join(Environment.NewLine, Survivors())}");
        }
        catch (TimeoutException e)
        {
            // Disposal must not hide why the test failed; the output says what is left.
            _output.WriteLine(e.Message);
        }
        finally
        {
            _output.WriteLine($"AppHost console (last {ConsoleTail} lines):{Environment.NewLine}{ConsoleText()}");
            _output.WriteLine($"Warnings and failures on the resources' consoles (last {ProblemsPerResource} of each):");
            _output.WriteLine(problems);
            _process.Dispose();
            DeleteRunFolder();
        }
    }

    private void OnConsole(string? line)
    {
        if (line is null)
        {
            return;
        }

        _console.Enqueue(line);
        while (_console.Count > ConsoleTail && _console.TryDequeue(out _))
        {
        }

        if (LoginLine().Match(line) is { Success: true } login)
        {
            _dashboardLogin.TrySetResult(new Uri(login.Groups["url"].Value));
        }
    }

    /// <summary>
    /// What the dashboard's console logs would show of trouble: DCP keeps each executable's console in this run's folder as
    /// <c>&lt;id&gt;_out</c> and <c>&lt;id&gt;_err</c>, beside <c>resource-executable-&lt;id&gt;.log</c>, which names the resource.
    /// </summary>
    private string ResourceConsoleProblems()
    {
        var resourceLogs = Directory.EnumerateFiles(RunFolder, "resource-executable-*.log", SearchOption.AllDirectories).Order().ToList();
        if (resourceLogs.Count == 0)
        {
            return "no resource's console left (DCP deletes them when the AppHost stops)";
        }

        var report = new StringBuilder();
        foreach (var resourceLog in resourceLogs)
        {
            var folder = Path.GetDirectoryName(resourceLog)!;
            var id = Path.GetFileNameWithoutExtension(resourceLog)["resource-executable-".Length..];
            var name = ExecutableName().Match(File.ReadAllText(resourceLog)) is { Success: true } m ? m.Groups["name"].Value : id;
            var problems = ConsoleFiles.Select(suffix => Path.Combine(folder, id + suffix)).Where(File.Exists)
                .SelectMany(file => ConsoleEntries(File.ReadLines(file)))
                .Where(entry => ProblemEntry().IsMatch(entry))
                .TakeLast(ProblemsPerResource)
                .ToList();
            if (problems.Count > 0)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"{name}:");
                problems.ForEach(problem => report.AppendLine(problem));
            }
        }

        return report.Length == 0 ? "none" : report.ToString();
    }

    /// <summary>A console's lines, as "sequence timestamp text", grouped into entries: a logger's header and its indented lines.</summary>
    private static IEnumerable<string> ConsoleEntries(IEnumerable<string> lines)
    {
        var entry = new StringBuilder();
        foreach (var line in lines)
        {
            var text = ConsoleLine().Match(line) is { Success: true } m ? AnsiEscape().Replace(m.Groups["text"].Value, "") : line;
            if (entry.Length > 0 && !text.StartsWith(' '))
            {
                yield return entry.ToString();
                entry.Clear();
            }

            entry.Append(entry.Length == 0 ? text : $"{Environment.NewLine}  {text.Trim()}");
        }

        if (entry.Length > 0)
        {
            yield return entry.ToString();
        }
    }

    private void DeleteRunFolder()
    {
        try
        {
            Directory.Delete(RunFolder, recursive: true);
        }
        catch (IOException e)
        {
            _output.WriteLine($"could not delete {RunFolder}: {e.Message}");
        }
    }

    [GeneratedRegex(@"""Executable"": ""/(?<name>[^""]+)-[a-z]+""")]
    private static partial Regex ExecutableName();

    [GeneratedRegex(@"^\d+ \S+ (?<text>.*)$")]
    private static partial Regex ConsoleLine();

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    /// <summary>.NET's console logger (warn, fail, crit), RabbitMQ's and MariaDB's own levels.</summary>
    [GeneratedRegex(@"^(warn|fail|crit):|\[(warning|error|ERROR|Warning)\]")]
    private static partial Regex ProblemEntry();

    [GeneratedRegex(@"Login to the dashboard at (?<url>http://\S+/login\?t=\S+)")]
    private static partial Regex LoginLine();
}
