using System.Globalization;
using RabbitMQ.Client;

namespace Dedao.Messaging;

/// <summary>
/// The names on the broker (events.md) and their declaration, idempotent so every replica declares at start.
/// A failed message goes to <c>&lt;queue&gt;.retry.&lt;ms&gt;ms</c>, whose TTL dead-letters it back to the queue; after the
/// last delay it is parked in <c>&lt;queue&gt;.dead</c>.
/// </summary>
public static class EventBusTopology
{
    public const string Exchange = "dedao.events";

    /// <summary>Replaying a dead letter moves it from <c>&lt;queue&gt;.dead</c> back to <c>&lt;queue&gt;</c>; the dashboard command relies on it.</summary>
    public const string DeadSuffix = ".dead";

    public static string Queue(string service, string eventName) => $"{service}.{eventName}";

    public static string DeadQueue(string queue) => queue + DeadSuffix;

    // The delay is in the name: a queue's TTL cannot change once declared, so other delays make other queues.
    public static string RetryQueue(string queue, TimeSpan delay) =>
        string.Create(CultureInfo.InvariantCulture, $"{queue}.retry.{(long)delay.TotalMilliseconds}ms");

    public static Task DeclareExchangeAsync(IChannel channel, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);

    /// <summary>
    /// A queue bound to <paramref name="eventName"/>. A producer declares one for each consumer in
    /// <see cref="Dedao.Contracts.EventConsumers"/> before it publishes; the consumer's own declaration has the same
    /// arguments, so whichever comes first, the other changes nothing.
    /// </summary>
    public static async Task DeclareBoundQueueAsync(IChannel channel, string queue, string eventName, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue, Exchange, eventName, cancellationToken: cancellationToken);
    }

    /// <summary>A consumer's queue with its retry and dead-letter queues.</summary>
    public static async Task DeclareQueueAsync(IChannel channel, string queue, string eventName, IEnumerable<TimeSpan> retryDelays,
        CancellationToken cancellationToken)
    {
        await DeclareExchangeAsync(channel, cancellationToken);
        await DeclareBoundQueueAsync(channel, queue, eventName, cancellationToken);
        await channel.QueueDeclareAsync(DeadQueue(queue), durable: true, exclusive: false, autoDelete: false,
            cancellationToken: cancellationToken);
        foreach (var delay in retryDelays)
        {
            await channel.QueueDeclareAsync(RetryQueue(queue, delay), durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?>
                {
                    ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                    // Through the default exchange, straight back to the one queue that failed, not to every subscriber.
                    ["x-dead-letter-exchange"] = "",
                    ["x-dead-letter-routing-key"] = queue,
                },
                cancellationToken: cancellationToken);
        }
    }
}
