using System.Threading.Channels;

namespace Dedao.Messaging;

/// <summary>Wakes the relay when a commit added outbox rows; many wakes before it looks collapse into one.</summary>
internal sealed class OutboxSignal
{
    private readonly Channel<bool> _wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    public void Wake() => _wakes.Writer.TryWrite(true);

    /// <summary>Returns when woken or after <paramref name="timeout"/>, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woken = _wakes.Reader.WaitToReadAsync(waiting.Token).AsTask();
        var elapsed = Task.Delay(timeout, time, waiting.Token);
        await Task.WhenAny(woken, elapsed);
        await waiting.CancelAsync();
        _wakes.Reader.TryRead(out _);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
