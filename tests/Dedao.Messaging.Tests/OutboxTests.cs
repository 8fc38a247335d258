using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Dedao.Contracts;
using Dedao.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Dedao.Messaging.Tests;

[Collection(Messaging.Name)]
public sealed class OutboxTests(MessagingFixture servers)
{
    [Fact]
    public async Task An_event_committed_with_its_state_is_published_once_with_its_id_type_and_trace()
    {
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        var paid = await probe.SubscribeAsync<OrderPaid>();
        using var host = servers.CreateHost("relay");
        await host.StartAsync();

        var @event = MessagingFixture.NewOrderPaid();
        using var request = new Activity("POST /api/v1/orders").SetIdFormat(ActivityIdFormat.W3C).Start();
        var row = await MessagingFixture.InScopeAsync(host, async db =>
        {
            db.Purchases.Add(new Purchase { OrderId = @event.OrderId });
            var row = db.AddIntegrationEvent(@event);
            await db.SaveChangesAsync();
            return row;
        });
        request.Stop();

        var received = await paid.WaitForAsync(e => e.OrderId == @event.OrderId, MessagingFixture.Patience);
        Assert.Equal(@event, received.Event);
        Assert.Equal(row.MessageId, received.MessageId);
        Assert.Equal("order.paid", received.Type);
        Assert.Equal("application/json", received.ContentType);
        Assert.True(received.Persistent);
        Assert.Equal(request.TraceId.ToString(), received.TraceParent?.Split('-')[1]);

        await Poll.UntilAsync(() => MessagingFixture.InScopeAsync(host, db => db.Outbox.AnyAsync(m => m.Id == row.Id && m.SentAt != null)),
            MessagingFixture.Patience, () => $"outbox row {row.Id} not marked sent");
        Assert.Single(paid.Received, e => e.Event.OrderId == @event.OrderId);
        await host.StopAsync();
    }

    [Fact]
    public async Task An_event_whose_transaction_rolls_back_is_never_published()
    {
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        var paid = await probe.SubscribeAsync<OrderPaid>();
        using var host = servers.CreateHost("relay");
        await host.StartAsync();

        var rolledBack = MessagingFixture.NewOrderPaid();
        var committed = MessagingFixture.NewOrderPaid();
        await MessagingFixture.InScopeAsync(host, db => db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                db.AddIntegrationEvent(rolledBack);
                await db.SaveChangesAsync();
                await transaction.RollbackAsync();
            }

            db.ChangeTracker.Clear();
            db.AddIntegrationEvent(committed);
            return await db.SaveChangesAsync();
        }));

        // The relay publishes in id order, so once the later event is out the earlier one would have been too.
        await paid.WaitForAsync(e => e.OrderId == committed.OrderId, MessagingFixture.Patience);
        Assert.DoesNotContain(paid.Received, e => e.Event.OrderId == rolledBack.OrderId);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_warm_up_saves_an_outbox_row_in_a_transaction_it_rolls_back_and_leaves_nothing_to_publish()
    {
        using var host = servers.CreateHost("relay");
        await host.StartAsync();
        var last = await MessagingFixture.InScopeAsync(host, db => db.Outbox.MaxAsync(m => (long?)m.Id)) ?? 0;

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var warmUp = Assert.Single(scope.ServiceProvider.GetServices<IWarmUp>().OfType<OutboxWarmUp<ShopContext>>());
            await warmUp.WarmUpAsync(CancellationToken.None);
        }

        Assert.False(await MessagingFixture.InScopeAsync(host, db => db.Outbox.AnyAsync(m => m.Id > last)), "the warm-up's row was kept");
        // Its insert took an id: the next row's is past it.
        var next = await MessagingFixture.InScopeAsync(host, async db =>
        {
            var row = db.AddIntegrationEvent(MessagingFixture.NewOrderPaid());
            await db.SaveChangesAsync();
            return row.Id;
        });
        Assert.True(next > last + 1, $"the warm-up wrote no row: the next id is {next}, after {last}");
        await host.StopAsync();
    }

    [Fact]
    public async Task Rows_a_crashed_relay_left_unsent_are_published_when_it_starts_again()
    {
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        var paid = await probe.SubscribeAsync<OrderPaid>();
        var events = new[] { MessagingFixture.NewOrderPaid(), MessagingFixture.NewOrderPaid() };
        // Committed by a service whose relay never ran, as if it died right after the commit.
        using (var crashed = servers.CreateHost("relay"))
        {
            await MessagingFixture.InScopeAsync(crashed, db =>
            {
                foreach (var @event in events)
                {
                    db.AddIntegrationEvent(@event);
                }

                return db.SaveChangesAsync();
            });
        }

        using var restarted = servers.CreateHost("relay");
        await restarted.StartAsync();

        foreach (var @event in events)
        {
            await paid.WaitForAsync(e => e.OrderId == @event.OrderId, MessagingFixture.Patience);
        }

        await restarted.StopAsync();
    }

    [Fact]
    public async Task Two_relays_on_one_outbox_publish_each_row_once()
    {
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        var paid = await probe.SubscribeAsync<OrderPaid>();
        // Small batches, so that the replicas take turns and contend for the same rows; leftovers at once, so that both poll
        // for the rows of a third process that wrote them and died.
        Action<EventBusOptions> contending = options =>
        {
            options.RelayBatchSize = 10;
            options.LeftoverAge = TimeSpan.Zero;
        };
        using var first = servers.CreateHost("relay", configure: contending);
        using var second = servers.CreateHost("relay", configure: contending);
        using var writer = servers.CreateHost("relay");
        var events = Enumerable.Range(0, 200).Select(_ => MessagingFixture.NewOrderPaid()).ToList();
        await MessagingFixture.InScopeAsync(writer, db =>
        {
            foreach (var @event in events)
            {
                db.AddIntegrationEvent(@event);
            }

            return db.SaveChangesAsync();
        });

        await Task.WhenAll(first.StartAsync(), second.StartAsync());

        var orderIds = events.Select(e => e.OrderId).ToHashSet();
        await Poll.UntilAsync(async () => await MessagingFixture.InScopeAsync(first, db => db.Outbox.CountAsync(m => m.SentAt == null)) == 0
                && paid.Received.Count(e => orderIds.Contains(e.Event.OrderId)) >= events.Count,
            MessagingFixture.Patience, () => $"{paid.Received.Count(e => orderIds.Contains(e.Event.OrderId))} of {events.Count} received");
        Assert.Equal(events.Count, paid.Received.Count(e => orderIds.Contains(e.Event.OrderId)));
        await Task.WhenAll(first.StopAsync(), second.StopAsync());
    }

    [Fact]
    public async Task A_relay_publishes_what_its_process_commits_without_polling_for_it()
    {
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        var paid = await probe.SubscribeAsync<OrderPaid>();
        // Its poll, the only way it could find a row it was not handed, runs once at start and then not for an hour.
        using var host = servers.CreateHost("relay", configure: options =>
        {
            options.PollInterval = TimeSpan.FromHours(1);
            options.LeftoverAge = TimeSpan.FromHours(1);
        });
        await host.StartAsync();

        var @event = MessagingFixture.NewOrderPaid();
        var row = await MessagingFixture.InScopeAsync(host, async db =>
        {
            var row = db.AddIntegrationEvent(@event);
            await db.SaveChangesAsync();
            return row;
        });

        await paid.WaitForAsync(e => e.OrderId == @event.OrderId, MessagingFixture.Patience);
        await Poll.UntilAsync(() => MessagingFixture.InScopeAsync(host, db => db.Outbox.AnyAsync(m => m.Id == row.Id && m.SentAt != null)),
            MessagingFixture.Patience, () => $"outbox row {row.Id} not marked sent");
        await host.StopAsync();
    }

    [Fact]
    public async Task Another_process_s_unsent_row_is_left_to_it_until_it_is_of_leftover_age()
    {
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        var paid = await probe.SubscribeAsync<OrderPaid>();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        void OnFakeTime(HostApplicationBuilder builder) => builder.Services.AddSingleton<TimeProvider>(time);
        // Written by a process that never publishes them: one row of leftover age, and one as young as can be.
        var (old, young) = (MessagingFixture.NewOrderPaid(), MessagingFixture.NewOrderPaid());
        OutboxMessage oldRow;
        using (var writer = servers.CreateHost("relay", before: OnFakeTime))
        {
            oldRow = await MessagingFixture.InScopeAsync(writer, async db =>
            {
                var row = db.AddIntegrationEvent(old);
                await db.SaveChangesAsync();
                return row;
            });
            time.Advance(new EventBusOptions().LeftoverAge);
            await MessagingFixture.InScopeAsync(writer, db =>
            {
                db.AddIntegrationEvent(young);
                return db.SaveChangesAsync();
            });
        }

        // Its poll at start takes the old row; the next waits for the fake clock.
        using var relay = servers.CreateHost("relay", before: OnFakeTime);
        await relay.StartAsync();
        await paid.WaitForAsync(e => e.OrderId == old.OrderId, MessagingFixture.Patience);
        await Poll.UntilAsync(() => MessagingFixture.InScopeAsync(relay, db => db.Outbox.AnyAsync(m => m.Id == oldRow.Id && m.SentAt != null)),
            MessagingFixture.Patience, () => "the old row is not marked sent");
        Assert.DoesNotContain(paid.Received, e => e.Event.OrderId == young.OrderId);

        time.Advance(new EventBusOptions().LeftoverAge);
        await paid.WaitForAsync(e => e.OrderId == young.OrderId, MessagingFixture.Patience);
        await relay.StopAsync();
    }

    [Fact]
    public async Task Events_written_while_the_broker_is_down_are_published_and_handled_once_it_is_back()
    {
        using var host = servers.CreateHost("outage");
        await host.StartAsync();
        // The consumer's queue exists and is bound before the outage, so what is published after it waits there.
        await using (var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ))
        {
            await probe.WaitForConsumerAsync("outage.order.paid", MessagingFixture.Patience);
        }

        await servers.App.ResourceCommands.ExecuteCommandAsync("messaging", KnownResourceCommands.StopCommand);
        await servers.App.ResourceNotifications.WaitForResourceAsync("messaging", KnownResourceStates.TerminalStates);
        var @event = MessagingFixture.NewOrderPaid();
        await MessagingFixture.InScopeAsync(host, db =>
        {
            db.AddIntegrationEvent(@event);
            return db.SaveChangesAsync();
        });

        await servers.App.ResourceCommands.ExecuteCommandAsync("messaging", KnownResourceCommands.StartCommand);
        await ResourceHealth.WaitForAllHealthyAsync(servers.App, TimeSpan.FromMinutes(1), "messaging");

        await Poll.UntilAsync(async () => await MessagingFixture.EffectsAsync(host, @event.OrderId) == 1, TimeSpan.FromMinutes(1),
            () => $"order {@event.OrderId} was not handled after the broker came back");
        await host.StopAsync();
    }

    [Fact]
    public async Task Sent_rows_and_remembered_message_ids_are_pruned_after_their_retention()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // Batches of two, so five remembered ids take three deletes.
        using var host = servers.CreateHost("pruned", configure: options => options.PruneBatchSize = 2,
            before: builder => builder.Services.AddSingleton<TimeProvider>(time));
        await host.StartAsync();
        var (row, handled) = await MessagingFixture.InScopeAsync(host, async db =>
        {
            InboxMessage[] handled = [.. Enumerable.Range(0, 5).Select(_ =>
                new InboxMessage { MessageId = Guid.NewGuid(), Consumer = "pruned.order.paid", ReceivedAt = time.GetUtcNow().UtcDateTime })];
            db.AddRange(handled);
            var row = db.AddIntegrationEvent(MessagingFixture.NewOrderPaid());
            await db.SaveChangesAsync();
            return (row, handled.Select(m => m.MessageId).ToList());
        });
        await Poll.UntilAsync(() => MessagingFixture.InScopeAsync(host, db => db.Outbox.AnyAsync(m => m.Id == row.Id && m.SentAt != null)),
            MessagingFixture.Patience, () => $"outbox row {row.Id} not marked sent");

        time.Advance(new EventBusOptions().InboxRetention + TimeSpan.FromMinutes(1));

        await Poll.UntilAsync(() => MessagingFixture.InScopeAsync(host, async db =>
                !await db.Outbox.AnyAsync(m => m.Id == row.Id)
                && !await db.Set<InboxMessage>().AnyAsync(m => handled.Contains(m.MessageId))),
            MessagingFixture.Patience, () => "the sent row or the inbox row is still there");
        await host.StopAsync();
    }
}
