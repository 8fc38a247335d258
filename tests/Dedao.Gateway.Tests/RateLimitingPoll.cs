namespace Dedao.Gateway.Tests;

internal static class RateLimitingPoll
{
    /// <summary>Re-checks <paramref name="condition"/> until it holds; fails the test at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!await condition())
        {
            if (TimeProvider.System.GetElapsedTime(started) > deadline)
            {
                Assert.Fail($"Not within {deadline}: {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
