// Ours, on RabbitMQ.Client 7 as issue 8 asks: the served outboxes keep their messages in stores this feed does not serve for MySQL (MassTransit.EntityFrameworkCore, DotNetCore.CAP.MySql; Wolverine's served store is PostgreSQL).
using System.Diagnostics;
using System.Text;
using Dedao.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Dedao.Messaging;

/// <summary>
/// Publishes the outbox of <typeparamref name="TContext"/> with publisher confirms and marks what the broker confirmed.
/// The rows this process commits are handed to it at the commit (<see cref="OutboxHandOff"/>), so it publishes them
/// without reading them back and marks them sent with one statement. Rows nobody handed over (a crash between commit and
/// publish, a failed publish, another process's rows) it finds by polling, once they are older than
/// <see cref="EventBusOptions.LeftoverAge"/>.
/// </summary>
/// <remarks>
/// Replicas share the table: the poll takes its batch with <c>FOR UPDATE SKIP LOCKED</c> (MariaDB 10.6+, MySQL 8), so two
/// relays do not publish the same leftover at once. A relay that dies after the confirm and before marking the row, or
/// a handed-over row still unpublished when it comes of leftover age, is published again; the consumers' inbox makes
/// that repeat harmless.
/// </remarks>
internal sealed class OutboxRelay<TContext>(
    IServiceProvider services,
    OutboxHandOff handOff,
    IOptions<EventBusOptions> options,
    MessagingTelemetry telemetry,
    TimeProvider time,
    ILogger<OutboxRelay<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);
    // The gauge is exported every few seconds; under load the relay runs after every commit, and asking each time was a
    // query per batch published.
    private static readonly TimeSpan ObserveInterval = TimeSpan.FromSeconds(1);

    private readonly EventBusOptions _options = options.Value;
    private IChannel? _channel;
    // Events whose consumers' queues this channel declared: once each, not once a publish.
    private readonly HashSet<string> _consumersDeclared = [];
    private DateTime? _oldestUnsent;
    private DateTimeOffset _nextPoll;
    private DateTimeOffset _nextPrune;
    private DateTimeOffset _nextObservation;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        telemetry.ObserveOutboxAge(() => _oldestUnsent is { } oldest ? Math.Max(0, (time.GetUtcNow().UtcDateTime - oldest).TotalSeconds) : 0);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var failed = false;
                try
                {
                    var channel = await OpenChannelAsync(stoppingToken);
                    while (await PublishHandedOverAsync(channel, stoppingToken) == _options.RelayBatchSize)
                    {
                    }

                    if (time.GetUtcNow() >= _nextPoll)
                    {
                        _nextPoll = time.GetUtcNow() + _options.PollInterval;
                        // The gauge's query says whether any row is of leftover age: an outbox with none costs no transaction.
                        await ReadOldestUnsentAsync(stoppingToken);
                        while (_oldestUnsent <= time.GetUtcNow().UtcDateTime - _options.LeftoverAge
                            && await PublishLeftoversAsync(channel, stoppingToken) == _options.RelayBatchSize)
                        {
                        }

                        await PruneAsync(stoppingToken);
                    }
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    failed = true;
                    logger.LogWarning(e, "Outbox relay of {Context} failed; trying again in {Interval}", typeof(TContext).Name, _options.PollInterval);
                }

                await ObserveOldestUnsentAsync(stoppingToken);
                // After a failure, rows handed over meanwhile must not make a broker that is away a busy loop.
                await (failed
                    ? Task.Delay(_options.PollInterval, time, stoppingToken)
                    : handOff.WaitAsync(_nextPoll - time.GetUtcNow(), time, stoppingToken));
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
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
    }

    // The connection recovers by itself after a broker restart; a channel the broker closed on us (an error of ours) does not.
    private async Task<IChannel> OpenChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsClosed: false })
        {
            return _channel;
        }

        var connection = services.GetRequiredService<IConnection>();
        if (_channel is not null)
        {
            if (!connection.IsOpen)
            {
                throw new InvalidOperationException("The broker is unreachable; the connection reopens itself with its channels");
            }

            await _channel.DisposeAsync();
        }

        _channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
        _consumersDeclared.Clear();
        await EventBusTopology.DeclareExchangeAsync(_channel, cancellationToken);
        return _channel;
    }

    /// <summary>Publishes a batch of the rows handed over at commit; those past leftover age are left to the poll.</summary>
    private async Task<int> PublishHandedOverAsync(IChannel channel, CancellationToken cancellationToken)
    {
        var leftoverBefore = time.GetUtcNow().UtcDateTime - _options.LeftoverAge;
        var rows = new List<OutboxMessage>();
        var taken = 0;
        while (taken < _options.RelayBatchSize && handOff.TryTake(out var row))
        {
            taken++;
            if (row.CreatedAt > leftoverBefore)
            {
                rows.Add(row);
            }
        }

        if (rows.Count > 0)
        {
            await using var scope = services.CreateAsyncScope();
            var failure = await PublishAndMarkAsync(channel, scope.ServiceProvider.GetRequiredService<TContext>(), rows, cancellationToken);
            if (failure is not null)
            {
                throw failure;
            }
        }

        return taken;
    }

    /// <summary>Publishes a batch of the rows nobody handed over, taken under lock so that other replicas skip them.</summary>
    private async Task<int> PublishLeftoversAsync(IChannel channel, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var leftoverBefore = time.GetUtcNow().UtcDateTime - _options.LeftoverAge;
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var rows = await db.Set<OutboxMessage>()
                .FromSql($"SELECT * FROM outbox WHERE sent_at IS NULL AND created_at <= {leftoverBefore} ORDER BY id LIMIT {_options.RelayBatchSize} FOR UPDATE SKIP LOCKED")
                .AsNoTracking()
                .ToListAsync(ct);
            if (rows.Count > 0)
            {
                var failure = await PublishAndMarkAsync(channel, db, rows, ct);
                await transaction.CommitAsync(ct);
                if (failure is not null)
                {
                    throw failure;
                }
            }

            return rows.Count;
        }, cancellationToken);
    }

    /// <summary>
    /// Publishes the rows in order, awaits their confirms together and marks the confirmed ones sent; what it returns, the
    /// failure of the others, is thrown once the marks are committed.
    /// </summary>
    private async Task<Exception?> PublishAndMarkAsync(IChannel channel, TContext db, List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            await DeclareConsumerQueuesAsync(channel, row.EventName, cancellationToken);
        }

        // Issued in order and confirmed together: one round of confirms per batch instead of one per row.
        var publishes = rows.Select(row => (row.Id, Task: PublishAsync(channel, row, cancellationToken))).ToList();
        var sent = new List<long>(rows.Count);
        Exception? failure = null;
        foreach (var (id, publish) in publishes)
        {
            try
            {
                await publish;
                sent.Add(id);
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }

        if (sent.Count > 0)
        {
            // SQL of our own, with parameters: for a Contains over a list EF builds the statement anew on every call, and
            // this runs once per event.
            var placeholders = string.Join(", ", sent.Select((_, i) => $"{{{i + 1}}}"));
            var markSent = $"UPDATE outbox SET sent_at = {{0}} WHERE id IN ({placeholders})";
            await db.Database.ExecuteSqlRawAsync(markSent, [time.GetUtcNow().UtcDateTime, .. sent.Cast<object>()], cancellationToken);
        }

        telemetry.Published.Add(sent.Count);
        return failure is null ? null : new InvalidOperationException($"{rows.Count - sent.Count} of {rows.Count} outbox rows were not confirmed", failure);
    }

    /// <summary>
    /// The exchange drops what no queue is bound to yet: a consumer's queue is declared here too, not only by the
    /// consumer at its start, so an event published before its consumer ever ran on this broker waits for it.
    /// </summary>
    private async Task DeclareConsumerQueuesAsync(IChannel channel, string eventName, CancellationToken cancellationToken)
    {
        if (_consumersDeclared.Contains(eventName))
        {
            return;
        }

        foreach (var consumer in EventConsumers.Of(eventName))
        {
            await EventBusTopology.DeclareBoundQueueAsync(channel, EventBusTopology.Queue(consumer, eventName), eventName, cancellationToken);
        }

        _consumersDeclared.Add(eventName);
    }

    private static async Task PublishAsync(IChannel channel, OutboxMessage row, CancellationToken cancellationToken)
    {
        ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parent);
        using var activity = MessagingTelemetry.StartActivity($"{row.EventName} publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.destination.name", EventBusTopology.Exchange);
        activity?.SetTag("messaging.rabbitmq.destination.routing_key", row.EventName);
        activity?.SetTag("messaging.message.id", row.MessageId.ToString());
        var properties = EventMessage.Properties(row.MessageId, row.EventName, new DateTimeOffset(row.CreatedAt, TimeSpan.Zero),
            activity?.Id ?? row.TraceParent, activity?.TraceStateString ?? row.TraceState);
        await channel.BasicPublishAsync(EventBusTopology.Exchange, row.EventName, mandatory: false, properties,
            Encoding.UTF8.GetBytes(row.Body), cancellationToken);
    }

    /// <summary>Deletes sent outbox rows and remembered inbox ids past their retention, once a minute at most, a batch at a time.</summary>
    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextPrune)
        {
            return;
        }

        _nextPrune = now + PruneInterval;
        var sentBefore = (now - _options.SentRetention).UtcDateTime;
        var receivedBefore = (now - _options.InboxRetention).UtcDateTime;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var batch = _options.PruneBatchSize;
        while (await db.Set<OutboxMessage>().Where(m => m.SentAt != null && m.SentAt < sentBefore)
                   .OrderBy(m => m.SentAt).Take(batch).ExecuteDeleteAsync(cancellationToken) == batch)
        {
        }

        while (await db.Set<InboxMessage>().Where(m => m.ReceivedAt < receivedBefore)
                   .OrderBy(m => m.ReceivedAt).Take(batch).ExecuteDeleteAsync(cancellationToken) == batch)
        {
        }
    }

    private async Task ObserveOldestUnsentAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextObservation)
        {
            return;
        }

        try
        {
            await ReadOldestUnsentAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(e, "Could not read the outbox's oldest unsent row");
        }
    }

    // Rows are stamped as they are inserted, so the lowest unsent id is the oldest unsent row.
    private async Task ReadOldestUnsentAsync(CancellationToken cancellationToken)
    {
        _nextObservation = time.GetUtcNow() + ObserveInterval;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        _oldestUnsent = await db.Set<OutboxMessage>().Where(m => m.SentAt == null).OrderBy(m => m.Id)
            .Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
    }
}
