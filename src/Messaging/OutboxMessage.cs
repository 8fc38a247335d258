namespace Dedao.Messaging;

/// <summary>An event written with the state change that caused it, waiting for the relay (<c>outbox</c> table).</summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public required string EventName { get; set; }

    public required string Body { get; set; }

    public string? TraceParent { get; set; }

    public string? TraceState { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? SentAt { get; set; }
}
