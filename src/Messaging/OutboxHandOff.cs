using System.Threading.Channels;

namespace Dedao.Messaging;

/// <summary>
/// The outbox rows this process has committed, handed to its relay so that it publishes them without reading them back.
/// Bounded: when the relay is that far behind, further rows wait in the table for its poll, as after a crash.
/// </summary>
internal sealed class OutboxHandOff
{
    private const int Capacity = 10_000;

    private readonly Channel<OutboxMessage> _rows = Channel.CreateBounded<OutboxMessage>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public void Hand(IEnumerable<OutboxMessage> rows)
    {
        foreach (var row in rows)
        {
            _rows.Writer.TryWrite(row);
        }
    }

    public bool TryTake(out OutboxMessage row) => _rows.Reader.TryRead(out row!);

    /// <summary>Returns when rows are there to take or after <paramref name="timeout"/>, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero || _rows.Reader.Count > 0)
        {
            return;
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var handed = _rows.Reader.WaitToReadAsync(waiting.Token).AsTask();
        var elapsed = Task.Delay(timeout, time, waiting.Token);
        await Task.WhenAny(handed, elapsed);
        await waiting.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
