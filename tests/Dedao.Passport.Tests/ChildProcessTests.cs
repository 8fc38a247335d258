using Dedao.Passport.Tests.Infrastructure;
using Dedao.Testing;

namespace Dedao.Passport.Tests;

/// <summary>A passport that stops its own start says why in its last lines; the failure message needs them.</summary>
public sealed class ChildProcessTests
{
    [Fact]
    public async Task Once_a_process_is_seen_to_have_exited_its_output_holds_its_last_line()
    {
        // Many lines just before the exit, so that the readers are still behind when the exit is seen.
        using var child = ChildProcess.Start("sh", ["-c", "seq 1 150; echo 'the last words'; exit 3"]);

        await Poll.UntilAsync(() => child.HasExited, TimeSpan.FromSeconds(30), () => "sh exited");

        Assert.EndsWith("the last words", child.Output, StringComparison.Ordinal);
    }
}
