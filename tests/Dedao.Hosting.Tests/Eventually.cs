namespace Dedao.Hosting.Tests;

/// <summary>Polls a condition until it holds or a deadline passes: the tests' only way to wait.</summary>
internal static class Eventually
{
    public static async Task<T> Get<T>(Func<T?> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s.");
    }

    public static Task True(Func<bool> condition, TimeSpan timeout, string what) =>
        Get(() => condition() ? "" : null, timeout, what);
}
