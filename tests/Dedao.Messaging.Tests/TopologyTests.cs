using System.Reflection;
using Dedao.Contracts;
using Dedao.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RabbitMQ.Client;

namespace Dedao.Messaging.Tests;

[Collection(Messaging.Name)]
public sealed class TopologyTests(MessagingFixture servers)
{
    [Fact]
    public void Every_event_of_the_contract_names_its_consumers()
    {
        var events = typeof(IIntegrationEvent).Assembly.GetTypes()
            .Where(type => type.IsClass && type.IsAssignableTo(typeof(IIntegrationEvent)))
            .Select(type => (string)type.GetProperty(nameof(IIntegrationEvent.EventName), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!);

        Assert.Equal(events.Order(), EventConsumers.Events.Order());
    }

    [Fact]
    public async Task An_event_published_before_its_consumer_ever_ran_waits_in_its_queue_for_it()
    {
        // column consumes order.paid by the contract; on this broker its queue is gone until something declares it again.
        var queue = EventBusTopology.Queue("column", OrderPaid.EventName);
        await DeleteQueueAsync(queue);
        try
        {
            using var producer = servers.CreateHost("relay", before: builder => builder.Logging.AddFakeLogging());
            await producer.StartAsync();
            var @event = MessagingFixture.NewOrderPaid();
            var row = await MessagingFixture.InScopeAsync(producer, async db =>
            {
                var row = db.AddIntegrationEvent(@event);
                await db.SaveChangesAsync();
                return row;
            });
            await Poll.UntilAsync(() => MessagingFixture.InScopeAsync(producer, db => db.Outbox.AnyAsync(m => m.Id == row.Id && m.SentAt != null)),
                MessagingFixture.Patience, () => $"outbox row {row.Id} not published");

            var script = new HandlerScript();
            using var consumer = servers.CreateHost("column", script, before: builder => builder.Logging.AddFakeLogging());
            await consumer.StartAsync();

            await Poll.UntilAsync(() => Task.FromResult(script.TriesOf(@event).Length > 0), MessagingFixture.Patience,
                () => $"column never got order {@event.OrderId}, published before it first ran");
            Assert.Single(script.TriesOf(@event));
            // A subscriber the contract does not name is told why its events may be lost; a named one is not.
            Assert.Contains(producer.Services.GetFakeLogCollector().GetSnapshot(),
                entry => entry.Level == LogLevel.Warning && entry.Message.StartsWith("relay.order.paid is not among the consumers", StringComparison.Ordinal));
            Assert.DoesNotContain(consumer.Services.GetFakeLogCollector().GetSnapshot(), entry => entry.Message.Contains("not among the consumers"));
            await consumer.StopAsync();
            await producer.StopAsync();
        }
        finally
        {
            // Nothing consumes it in the other tests, and every order.paid they publish would pile up in it.
            await DeleteQueueAsync(queue);
        }
    }

    private async Task DeleteQueueAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(servers.RabbitMQ) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
    }
}
