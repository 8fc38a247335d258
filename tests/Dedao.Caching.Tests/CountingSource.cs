using System.Collections.Concurrent;

namespace Dedao.Caching.Tests;

/// <summary>
/// A source over a dictionary that records every query, can be held (each query waits for <see cref="Release"/>) or made
/// to fail: the proxy's logic checked without a database.
/// </summary>
internal sealed class CountingSource
{
    private readonly ConcurrentDictionary<long, Note> _rows = new();
    private TaskCompletionSource _gate = Open();
    private int _running;
    private int _maxRunning;

    public ConcurrentQueue<long[]> Queries { get; } = new();

    public Exception? Failure { get; set; }

    public int Running => Volatile.Read(ref _running);

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public Note this[long key]
    {
        set => _rows[key] = value;
    }

    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    public LoaderStorage<long, Note> Storage(StorageOptions options, CacheMetrics metrics, string name = "test") => new(name, LoadAsync, options, metrics);

    private async Task<IReadOnlyDictionary<long, Note>> LoadAsync(IReadOnlyCollection<long> keys, CancellationToken cancellationToken)
    {
        Queries.Enqueue([.. keys]);
        var running = Interlocked.Increment(ref _running);
        InterlockedMax(ref _maxRunning, running);
        try
        {
            await _gate.Task;
            if (Failure is { } failure)
            {
                throw failure;
            }

            return keys.Where(_rows.ContainsKey).ToDictionary(k => k, k => _rows[k]);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var previous && previous != seen)
        {
            seen = previous;
        }
    }
}
