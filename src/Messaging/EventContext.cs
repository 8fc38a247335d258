namespace Dedao.Messaging;

/// <summary>What the bus knows of a message besides its body.</summary>
/// <param name="MessageId">Stable across re-sends of the same event: the inbox's key.</param>
/// <param name="Timestamp">When the producer wrote the event, to the second.</param>
/// <param name="Attempt">1 on the first try, 2 after the first retry delay, and so on.</param>
/// <param name="Redelivered">The broker delivered this copy before (a consumer died before its ack).</param>
public sealed record EventContext(Guid MessageId, string EventName, DateTimeOffset Timestamp, int Attempt, bool Redelivered)
{
    private readonly List<Func<Task>> _committed = [];

    /// <summary>The same as <see cref="Attempt"/>.</summary>
    public int DeliveryCount => Attempt;

    /// <summary>
    /// Runs <paramref name="callback"/> once the handler's changes are committed, and not if they roll back: what must
    /// not happen before others can read the change, such as dropping cached copies of what it changed (dropped earlier,
    /// a read in between would cache the old state again). A failing callback is logged; the message stays handled.
    /// </summary>
    public void OnCommitted(Func<Task> callback) => _committed.Add(callback);

    /// <summary>The callbacks of the try that committed.</summary>
    internal IReadOnlyList<Func<Task>> Committed => _committed;

    /// <summary>Called as each try begins: one that rolled back and runs again registers its callbacks anew.</summary>
    internal void ForgetCommitted() => _committed.Clear();
}
