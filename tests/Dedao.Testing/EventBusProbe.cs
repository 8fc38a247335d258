using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Dedao.Contracts;
using Dedao.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Dedao.Testing;

/// <summary>
/// Stands in for a producer or a consumer of another service: publishes to <c>dedao.events</c> exactly as a relay does,
/// and listens on temporary exclusive queues bound to it.
/// </summary>
public sealed class EventBusProbe : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _publisher;

    private EventBusProbe(IConnection connection, IChannel publisher)
    {
        _connection = connection;
        _publisher = publisher;
    }

    public static async Task<EventBusProbe> ConnectAsync(string connectionString)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(connectionString) }.CreateConnectionAsync();
        var publisher = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await EventBusTopology.DeclareExchangeAsync(publisher, CancellationToken.None);
        return new EventBusProbe(connection, publisher);
    }

    /// <returns>The message_id it was sent with.</returns>
    public async Task<Guid> PublishAsync<T>(T @event, Guid? messageId = null) where T : IIntegrationEvent
    {
        var id = messageId ?? Guid.CreateVersion7();
        await PublishRawAsync(T.EventName, JsonSerializer.SerializeToUtf8Bytes(@event, EventMessage.JsonOptions), id);
        return id;
    }

    /// <summary>Any body under an event's name: a poison message, or a version a consumer has not seen.</summary>
    public async Task PublishRawAsync(string eventName, byte[] body, Guid messageId) =>
        await _publisher.BasicPublishAsync(EventBusTopology.Exchange, eventName, mandatory: false,
            EventMessage.Properties(messageId, eventName, DateTimeOffset.UtcNow, traceParent: null, traceState: null), body);

    /// <summary>Every <typeparamref name="T"/> published from now on, until this probe is disposed.</summary>
    public async Task<ProbeSubscription<T>> SubscribeAsync<T>() where T : IIntegrationEvent
    {
        var channel = await _connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(exclusive: true)).QueueName;
        await channel.QueueBindAsync(queue, EventBusTopology.Exchange, T.EventName);
        var subscription = new ProbeSubscription<T>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            subscription.Add(delivery);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return subscription;
    }

    /// <summary>How many messages wait in <paramref name="queue"/> (a passive declare: it must exist).</summary>
    public async Task<uint> CountAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        return await channel.MessageCountAsync(queue);
    }

    /// <summary>Empties <paramref name="queue"/>: a test's own poison message, once its dead letter is seen, goes before another test counts.</summary>
    public async Task PurgeAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(queue);
    }

    /// <summary>How many consumers read <paramref name="queue"/>: a service consumes only once its whole topology is declared.</summary>
    private async Task<uint> ConsumerCountAsync(string queue)
    {
        await using var channel = await _connection.CreateChannelAsync();
        return await channel.ConsumerCountAsync(queue);
    }

    /// <summary>
    /// Until a service consumes <paramref name="queue"/>. A service declares its queues in the background after it starts;
    /// a message published before its queue is bound is unroutable, and a consumer comes only after the binding.
    /// </summary>
    public Task WaitForConsumerAsync(string queue, TimeSpan timeout) =>
        Poll.UntilAsync(async () => await ConsumerCountAsync(queue) > 0, timeout, () => $"nobody consumes {queue}");

    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>An event as a subscriber received it, with the properties a producer must set.</summary>
public sealed record ProbedEvent<T>(T Event, Guid MessageId, string? Type, string? ContentType, bool Persistent, string? TraceParent);

public sealed class ProbeSubscription<T> where T : IIntegrationEvent
{
    private readonly ConcurrentQueue<ProbedEvent<T>> _received = new();

    public IReadOnlyCollection<ProbedEvent<T>> Received => _received;

    internal void Add(BasicDeliverEventArgs delivery)
    {
        var properties = delivery.BasicProperties;
        _received.Enqueue(new ProbedEvent<T>(
            JsonSerializer.Deserialize<T>(delivery.Body.Span, EventMessage.JsonOptions)
                ?? throw new JsonException($"'{Encoding.UTF8.GetString(delivery.Body.Span)}' is no {typeof(T).Name}"),
            Guid.Parse(properties.MessageId!),
            properties.Type,
            properties.ContentType,
            properties.Persistent,
            EventMessage.Header(properties, EventMessage.TraceParentHeader)));
    }

    /// <summary>The first received event that matches, waiting up to <paramref name="timeout"/> for it.</summary>
    public async Task<ProbedEvent<T>> WaitForAsync(Func<T, bool> predicate, TimeSpan timeout)
    {
        ProbedEvent<T>? found = null;
        await Poll.UntilAsync(() => (found = _received.FirstOrDefault(e => predicate(e.Event))) is not null, timeout,
            () => $"no matching {T.EventName} among {_received.Count} received");
        return found!;
    }
}
