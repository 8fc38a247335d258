using Aspire.Hosting;
using Dedao.Testing;

namespace Dedao.Hosting.Tests;

/// <summary>How a fixture's wait for its resources ends when one of them cannot come up.</summary>
public sealed class ResourceHealthTests
{
    [Fact]
    public async Task A_resource_that_failed_to_start_ends_the_wait_before_its_deadline_and_is_named_with_why()
    {
        var builder = TestAppModel.CreateEmpty();
        builder.AddExecutable("sleeper", "sleep", ".", "300");
        builder.AddExecutable("broken", "sh", ".", "-c", "exit 0")
            .OnBeforeResourceStarted((_, _, _) => throw new InvalidOperationException("no disk left for broken"));
        await using var app = await builder.BuildAsync();
        await app.StartAsync();

        // Waited out, the deadline would end the test as a TimeoutException, ten minutes on.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => ResourceHealth.WaitForAllHealthyAsync(app, TimeSpan.FromMinutes(10)));

        Assert.Contains("broken: state FailedToStart", error.Message, StringComparison.Ordinal);
        Assert.Contains("no disk left for broken", error.Message, StringComparison.Ordinal);
    }
}
