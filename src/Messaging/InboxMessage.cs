namespace Dedao.Messaging;

/// <summary>A message a consumer has handled (<c>inbox</c> table), committed with the handler's effect.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    /// <summary>The queue it came from: one event may be handled by several consumers of a service.</summary>
    public required string Consumer { get; set; }

    public DateTime ReceivedAt { get; set; }
}
