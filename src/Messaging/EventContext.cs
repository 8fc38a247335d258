namespace Dedao.Messaging;

/// <summary>What the bus knows of a message besides its body.</summary>
/// <param name="MessageId">Stable across re-sends of the same event: the inbox's key.</param>
/// <param name="Timestamp">When the producer wrote the event, to the second.</param>
/// <param name="Attempt">1 on the first try, 2 after the first retry delay, and so on.</param>
/// <param name="Redelivered">The broker delivered this copy before (a consumer died before its ack).</param>
public sealed record EventContext(Guid MessageId, string EventName, DateTimeOffset Timestamp, int Attempt, bool Redelivered)
{
    /// <summary>The same as <see cref="Attempt"/>.</summary>
    public int DeliveryCount => Attempt;
}
