namespace Dedao.Order;

/// <summary>
/// Wakes the requests that wait for an order to change (<c>Prefer: wait</c>) when this replica changes it. A change
/// made elsewhere is seen when the wait ends, since the waiting request reads the order again then.
/// </summary>
public sealed class OrderChanges
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Signal> _signals = [];

    /// <summary>Watch before reading the order, so that a change committed between the read and the wait is not missed.</summary>
    public Watch Watch(long orderId)
    {
        lock (_lock)
        {
            if (!_signals.TryGetValue(orderId, out var signal))
            {
                signal = new Signal();
                _signals[orderId] = signal;
            }

            signal.Watchers++;
            return new Watch(this, orderId, signal);
        }
    }

    public void Changed(long orderId)
    {
        Signal? signal;
        lock (_lock)
        {
            _signals.Remove(orderId, out signal);
        }

        signal?.Changed.TrySetResult();
    }

    internal void Unwatch(long orderId, Signal signal)
    {
        lock (_lock)
        {
            // The last watcher takes out a signal still listed; a fired one is out already.
            if (--signal.Watchers == 0 && _signals.TryGetValue(orderId, out var listed) && listed == signal)
            {
                _signals.Remove(orderId);
            }
        }
    }

    internal sealed class Signal
    {
        public TaskCompletionSource Changed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Guarded by the lock of <see cref="OrderChanges"/>.</summary>
        public int Watchers { get; set; }
    }
}

/// <summary>One request's watch on an order; disposing it ends the watch.</summary>
public sealed class Watch : IDisposable
{
    private readonly OrderChanges _changes;
    private readonly long _orderId;
    private readonly OrderChanges.Signal _signal;
    private bool _disposed;

    internal Watch(OrderChanges changes, long orderId, OrderChanges.Signal signal) =>
        (_changes, _orderId, _signal) = (changes, orderId, signal);

    /// <summary>Completes when the order changes on this replica.</summary>
    public Task Changed => _signal.Changed.Task;

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _changes.Unwatch(_orderId, _signal);
        }
    }
}
