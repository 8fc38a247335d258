namespace Dedao.Testing;

/// <summary>Waits for a condition with a deadline: the tests' only way to wait. The pause between tries is pacing, not synchronisation.</summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <param name="condition">Tried until true; an exception counts as "not yet".</param>
    /// <param name="timeout">How long to keep trying.</param>
    /// <param name="describe">What was waited for, with whatever helps to see why it failed.</param>
    /// <param name="hopeless">A reason to stop at once (the server died), or null to go on.</param>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe, Func<string?>? hopeless = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            if (hopeless?.Invoke() is { } reason)
            {
                throw new InvalidOperationException($"{reason}: {describe()}");
            }

            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception exception)
            {
                last = exception;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Gave up after {timeout}: {describe()}", last);
            }

            await Task.Delay(Interval);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, describe);
}
