using Aspire.Hosting;
using Dedao.Testing;

namespace Dedao.Hosting.Tests;

/// <summary>What a failed CI run prints of the services comes from these files (eng/resource-logs.sh).</summary>
public sealed class ResourceLogArchiveTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dedao-resource-logs-").FullName;

    [Fact]
    public async Task Each_resource_console_goes_to_a_file_of_its_own_as_the_resource_wrote_it()
    {
        var builder = TestAppModel.CreateEmpty().KeepResourceLogs(_folder);
        builder.AddExecutable("speaker", "sh", ".", "-c",
            "echo 'warn: Speaker[0]'; echo '      the disk is nearly full'; printf '\\033[41m\\033[30mfail\\033[39m\\033[22m\\033[49m: Speaker[1]\\n';"
            + " echo 'gave up' >&2; exec sleep 300");
        builder.AddExecutable("quiet", "sh", ".", "-c", "echo 'info: Quiet[0]'; exec sleep 300");
        // Aspire logs a resource that fails to start as one line with the exception's lines in it.
        builder.AddExecutable("broken", "sh", ".", "-c", "exit 0")
            .OnBeforeResourceStarted((_, _, _) => throw new InvalidOperationException($"the first line{Environment.NewLine}the second line"));
        var speaker = Path.Combine(_folder, "speaker.log");
        var quiet = Path.Combine(_folder, "quiet.log");
        var broken = Path.Combine(_folder, "broken.log");

        await using (var app = await builder.BuildAsync())
        {
            await app.StartAsync();
            // The last lines of stdout and stderr, each as a line of its own: DCP's "[sys] Starting process" line quotes the
            // whole command, so both texts are in the file before the speaker has said anything.
            await Poll.UntilAsync(() => Read(speaker) is var said && said.Contains(" fail: Speaker[1]\n", StringComparison.Ordinal)
                    && said.Contains(" gave up\n", StringComparison.Ordinal) && File.Exists(quiet)
                    && Read(broken).Contains("the second line", StringComparison.Ordinal),
                TimeSpan.FromMinutes(1), () => $"speaker.log has: {Read(speaker)}; quiet.log exists: {File.Exists(quiet)}; broken.log has: {Read(broken)}");
        }

        var lines = File.ReadAllLines(speaker);
        // Each line as DCP read it: its time, then the text, without Aspire's line number in front or the colours.
        Assert.Contains(lines, line => line.EndsWith(" warn: Speaker[0]", StringComparison.Ordinal) && DateTimeOffset.TryParse(line.Split(' ')[0], out _));
        Assert.Contains(lines, line => line.EndsWith("       the disk is nearly full", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.EndsWith(" fail: Speaker[1]", StringComparison.Ordinal));
        Assert.DoesNotContain(File.ReadAllText(quiet), "Speaker", StringComparison.Ordinal);
        // Every line of a message that spans lines carries the message's time, so the file sorts by time line by line.
        var failure = File.ReadAllLines(broken);
        Assert.Contains(failure, line => line.EndsWith(" the second line", StringComparison.Ordinal));
        Assert.All(failure, line => Assert.True(DateTimeOffset.TryParse(line.Split(' ')[0], out _), $"no time at the start of: {line}"));
    }

    [Fact]
    public async Task Each_replica_of_a_project_has_a_file_of_its_own()
    {
        var builder = TestAppModel.CreateEmpty().KeepResourceLogs(_folder);
        // The lightest of the services: it needs no server, only its settings and a folder for its file.
        builder.AddProject<Projects.Dedao_PaySandbox>("sandbox")
            .WithEnvironment("Sandbox__Secret", "a secret of sixteen characters or more")
            .WithEnvironment("Sandbox__DataFolder", Path.Combine(_folder, "state"))
            .WithEnvironment("Sandbox__NotifyUrl", "http://127.0.0.1:9/notify")
            // A port of the kernel's choosing, not an endpoint's: DCP picks a free port for each replica and frees it again
            // before the replica binds it, and another model starting beside this one took it in that gap once.
            .WithEnvironment("ASPNETCORE_URLS", "http://127.0.0.1:0")
            .WithReplicas(2);

        string[] Files() => Directory.Exists(_folder) ? Directory.GetFiles(_folder, "sandbox*.log") : [];
        await using (var app = await builder.BuildAsync())
        {
            await app.StartAsync();
            await Poll.UntilAsync(() => Files().Length == 2 && Files().All(file => Read(file).Contains("Now listening on", StringComparison.Ordinal)),
                TimeSpan.FromMinutes(1), () => $"two replicas' files, each with its start; there are: {string.Join(", ", Files().Select(file => $"{Path.GetFileName(file)}: {Read(file)}"))}");
        }

        // Each replica's own console: one start, one address.
        Assert.All(Files(), file => Assert.Single(File.ReadAllLines(file), line => line.Contains("Now listening on", StringComparison.Ordinal)));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
