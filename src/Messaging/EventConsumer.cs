// Ours, beside the outbox relay: the inbox must commit in the handler's own EF transaction, which no served bus offers on MySQL.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Dedao.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Dedao.Messaging;

/// <summary>
/// Consumes every subscribed queue with manual acks and bounded prefetch. Each message is handled in a fresh scope,
/// in one transaction with its inbox row; a failure goes to the next retry delay queue, or after the last to the
/// dead-letter queue, unless it was a dependency's (<see cref="TransientFailures"/>), which is retried at the last delay.
/// Every copy is acked only after its effect committed or its copy elsewhere was confirmed.
/// It is also the service's health check for its subscriptions: not ready until every queue is consumed, since an event
/// published before its queue is bound reaches nobody.
/// </summary>
internal sealed class EventConsumer<TContext>(
    IServiceProvider services,
    IEnumerable<Subscription> subscriptions,
    IOptions<EventBusOptions> options,
    MessagingTelemetry telemetry,
    TimeProvider time,
    ILogger<EventConsumer<TContext>> logger) : BackgroundService, IHealthCheck
    where TContext : DbContext
{
    private readonly EventBusOptions _options = options.Value;
    // Written by the supervising loop only; read by health probes.
    private readonly ConcurrentDictionary<Subscription, IChannel> _channels = [];

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var idle = subscriptions.Where(s => !_channels.TryGetValue(s, out var channel) || channel.IsClosed).Select(s => s.Queue).ToList();
        return Task.FromResult(idle.Count == 0
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, $"Not consuming {string.Join(", ", idle)}"));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = subscriptions.ToList();
        if (pending.Count == 0)
        {
            return;
        }

        foreach (var unlisted in pending.Where(s => !EventConsumers.Of(s.EventName).Any(c => EventBusTopology.Queue(c, s.EventName) == s.Queue)))
        {
            logger.LogWarning(
                "{Queue} is not among the consumers of {Event} in EventConsumers: producers do not declare it, so what they publish before it is first consumed is lost",
                unlisted.Queue, unlisted.EventName);
        }

        try
        {
            // Also the supervisor: a channel the broker closed on us is opened again; one closed by a lost connection
            // comes back with the connection's own recovery.
            while (true)
            {
                foreach (var subscription in pending)
                {
                    try
                    {
                        await StartAsync(subscription, stoppingToken);
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        logger.LogWarning(e, "Could not consume {Queue}; trying again in {Interval}", subscription.Queue, _options.PollInterval);
                    }
                }

                await Task.Delay(_options.PollInterval, time, stoppingToken);
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, or disposed without a stop: whatever failed on the way out does not matter.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var channel in _channels.Values)
        {
            await channel.DisposeAsync();
        }
    }

    private async Task StartAsync(Subscription subscription, CancellationToken stoppingToken)
    {
        var connection = services.GetRequiredService<IConnection>();
        if (_channels.TryGetValue(subscription, out var existing))
        {
            if (!existing.IsClosed || !connection.IsOpen)
            {
                return;
            }

            _channels.TryRemove(subscription, out _);
            await existing.DisposeAsync();
        }

        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
            consumerDispatchConcurrency: _options.ConsumerConcurrency), stoppingToken);
        try
        {
            await EventBusTopology.DeclareQueueAsync(channel, subscription.Queue, subscription.EventName, _options.EffectiveRetryDelays,
                stoppingToken);
            await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: _options.PrefetchCount, global: false, stoppingToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => ReceiveAsync(channel, subscription, delivery, stoppingToken);
            await channel.BasicConsumeAsync(subscription.Queue, autoAck: false, consumer, stoppingToken);
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }

        _channels[subscription] = channel;
        logger.LogInformation("Consuming {Queue}", subscription.Queue);
    }

    private async Task ReceiveAsync(IChannel channel, Subscription subscription, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        var properties = delivery.BasicProperties;
        ActivityContext.TryParse(EventMessage.Header(properties, EventMessage.TraceParentHeader),
            EventMessage.Header(properties, EventMessage.TraceStateHeader), out var parent);
        using var activity = MessagingTelemetry.StartActivity($"{subscription.Queue} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.destination.name", subscription.Queue);
        activity?.SetTag("messaging.message.id", properties.MessageId);
        try
        {
            await HandleOrForwardAsync(channel, subscription, delivery, stoppingToken);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, stoppingToken);
        }
        catch (Exception e)
        {
            // Stopping, or the broker went away while handling: the unacked copy is delivered again, the inbox sees to it.
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            if (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Message {MessageId} on {Queue} was neither handled nor forwarded; it stays on the queue",
                    properties.MessageId, subscription.Queue);
            }
        }
    }

    private async Task HandleOrForwardAsync(IChannel channel, Subscription subscription, BasicDeliverEventArgs delivery,
        CancellationToken stoppingToken)
    {
        var properties = delivery.BasicProperties;
        object? @event;
        try
        {
            @event = subscription.Deserialize(delivery.Body);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            await DeadLetterAsync(channel, subscription, delivery, $"unreadable body: {e.Message}", stoppingToken);
            return;
        }

        if (@event is null || !Guid.TryParse(properties.MessageId, out var messageId))
        {
            // Without a message_id a repeat could not be told apart, so it is never handled blind.
            await DeadLetterAsync(channel, subscription, delivery, @event is null ? "empty body" : "no message_id", stoppingToken);
            return;
        }

        if (!subscription.Wants(@event))
        {
            telemetry.Ignored.Add(1, new KeyValuePair<string, object?>("queue", subscription.Queue));
            return;
        }

        var attempt = int.TryParse(EventMessage.Header(properties, EventMessage.AttemptHeader), out var tried) ? tried + 1 : 1;
        var context = new EventContext(messageId, subscription.EventName,
            DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime), attempt, delivery.Redelivered);
        try
        {
            await HandleOnceAsync(subscription, @event, context, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            var delays = _options.EffectiveRetryDelays;
            var transient = TransientFailures.Include(e);
            if (delays.Count == 0 || (attempt > delays.Count && !transient))
            {
                logger.LogError(e, "Message {MessageId} on {Queue} failed {Attempts} times; parked in the dead-letter queue",
                    messageId, subscription.Queue, attempt);
                await DeadLetterAsync(channel, subscription, delivery, $"{e.GetType().Name}: {e.Message}", stoppingToken);
                return;
            }

            // A dependency that keeps failing is waited out at the longest delay: the message is not what is wrong.
            var delay = delays[Math.Min(attempt, delays.Count) - 1];
            logger.LogWarning(e, "Message {MessageId} on {Queue} failed on try {Attempt}; trying again in {Delay}",
                messageId, subscription.Queue, attempt, delay);
            await ForwardAsync(channel, EventBusTopology.RetryQueue(subscription.Queue, delay), delivery, attempt, null, stoppingToken);
            telemetry.Retried.Add(1, new KeyValuePair<string, object?>("queue", subscription.Queue));
        }
    }

    private async Task HandleOnceAsync(Subscription subscription, object @event, EventContext context, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        // Nobody waits on a handler the way a client waits on a request: a lock held by a burst of other handlers is
        // waited for, not timed out at the request budget's second and tried again.
        db.Database.SetCommandTimeout(_options.HandlerCommandTimeout);
        var handled = await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            context.ForgetCommitted();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // IGNORE: a repeat inserts nothing (and waits for a copy being handled right now to commit or roll back).
            var received = time.GetUtcNow().UtcDateTime;
            if (await db.Database.ExecuteSqlAsync(
                    $"INSERT IGNORE INTO inbox (message_id, consumer, received_at) VALUES ({context.MessageId}, {subscription.Queue}, {received})",
                    ct) == 0)
            {
                return false;
            }

            await subscription.HandleAsync(scope.ServiceProvider, @event, context, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return true;
        }, cancellationToken);

        if (handled)
        {
            telemetry.Consumed.Add(1, new KeyValuePair<string, object?>("queue", subscription.Queue));
            foreach (var callback in context.Committed)
            {
                try
                {
                    await callback();
                }
                catch (Exception e)
                {
                    // Committed and in the inbox: a retry would find it handled, so the failure is only told.
                    logger.LogError(e, "A callback after message {MessageId} on {Queue} was committed failed", context.MessageId, subscription.Queue);
                }
            }
        }
        else
        {
            logger.LogDebug("Message {MessageId} on {Queue} was handled before; acked with no effect", context.MessageId, subscription.Queue);
        }
    }

    private async Task DeadLetterAsync(IChannel channel, Subscription subscription, BasicDeliverEventArgs delivery, string reason,
        CancellationToken cancellationToken)
    {
        await ForwardAsync(channel, EventBusTopology.DeadQueue(subscription.Queue), delivery, null, reason, cancellationToken);
        telemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>("queue", subscription.Queue));
    }

    /// <summary>A copy to <paramref name="queue"/> through the default exchange, confirmed before the original is acked.</summary>
    private static async Task ForwardAsync(IChannel channel, string queue, BasicDeliverEventArgs delivery, int? attempt, string? error,
        CancellationToken cancellationToken)
    {
        var properties = new BasicProperties(delivery.BasicProperties)
        {
            Headers = new Dictionary<string, object?>(delivery.BasicProperties.Headers ?? new Dictionary<string, object?>()),
        };
        if (attempt is not null)
        {
            properties.Headers[EventMessage.AttemptHeader] = attempt.Value;
        }

        if (error is not null)
        {
            properties.Headers[EventMessage.ErrorHeader] = error.Length > 1000 ? error[..1000] : error;
        }

        await channel.BasicPublishAsync("", queue, mandatory: true, properties, delivery.Body, cancellationToken);
    }
}
