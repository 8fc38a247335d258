namespace Dedao.Contracts;

/// <summary>
/// Which services consume each event: events.md's last column, as the services subscribe. A producer declares these
/// services' queues before it publishes, so an event sent before its consumer ever started waits in the queue for it
/// instead of being dropped by an exchange with nothing bound yet. A new subscription is a new entry here.
/// </summary>
public static class EventConsumers
{
    private static readonly Dictionary<string, string[]> s_byEvent = new()
    {
        [OrderCreated.EventName] = [],
        [OrderCancelled.EventName] = [],
        [OrderPaid.EventName] = ["column", "course", "comment"],
        [PaymentRefundRequired.EventName] = ["pay", "coin"],
        [PaymentSucceeded.EventName] = ["order", "coin"],
        [PaymentFailed.EventName] = ["coin"],
        [CoinsDebited.EventName] = ["pay"],
        [CoinsCredited.EventName] = [],
        [AccessGranted.EventName] = ["order"],
        [ContentChanged.EventName] = ["column", "course"],
        [CommentFeatured.EventName] = [],
    };

    /// <summary>Every event of the contract, by name.</summary>
    public static IReadOnlyCollection<string> Events => s_byEvent.Keys;

    /// <summary>The consuming services of <paramref name="eventName"/>; none for a name the contract does not know.</summary>
    public static IReadOnlyList<string> Of(string eventName) => s_byEvent.GetValueOrDefault(eventName) ?? [];
}
