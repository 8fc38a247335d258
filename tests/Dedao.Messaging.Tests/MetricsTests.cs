using System.Text;
using Dedao.Contracts;
using Dedao.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Dedao.Messaging.Tests;

[Collection(Messaging.Name)]
public sealed class MetricsTests(MessagingFixture servers)
{
    [Fact]
    public async Task Published_consumed_retried_and_dead_lettered_messages_are_counted()
    {
        // Other tests' events reach this queue too (every queue here binds order.paid): only this one fails, once.
        var @event = MessagingFixture.NewOrderPaid();
        var script = new HandlerScript { Fail = (paid, context) => paid == @event && context.Attempt == 1 };
        using var host = servers.CreateHost("metered", script);
        using var published = Collect<long>(host, "dedao.messaging.published");
        using var consumed = Collect<long>(host, "dedao.messaging.consumed");
        using var retried = Collect<long>(host, "dedao.messaging.retried");
        using var deadLettered = Collect<long>(host, "dedao.messaging.dead_lettered");
        await host.StartAsync();
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        await probe.WaitForConsumerAsync("metered.order.paid", MessagingFixture.Patience);

        await MessagingFixture.InScopeAsync(host, db =>
        {
            db.AddIntegrationEvent(@event);
            return db.SaveChangesAsync();
        });
        await probe.PublishRawAsync(OrderPaid.EventName, Encoding.UTF8.GetBytes("[]"), Guid.NewGuid());

        // The relay counts a publish when the broker confirms it, which may come after the consumer has handled the message.
        await Poll.UntilAsync(async () => await MessagingFixture.EffectsAsync(host, @event.OrderId) == 1 && Sum(deadLettered) == 1
                                          && Sum(published) >= 1 && Sum(consumed) >= 1,
            MessagingFixture.Patience, () => $"published {Sum(published)}, consumed {Sum(consumed)}, dead-lettered {Sum(deadLettered)}");
        Assert.Equal(1, Sum(retried));
        await host.StopAsync();
    }

    [Fact]
    public async Task An_event_the_handler_does_not_want_is_acked_with_no_effect_and_no_inbox_row_and_counted_as_ignored()
    {
        // One at a time, so that once the wanted event is handled the unwanted one before it was too.
        using var host = servers.CreateHost("choosy", configure: options => options.ConsumerConcurrency = 1);
        using var ignored = Collect<long>(host, "dedao.messaging.ignored");
        using var consumed = Collect<long>(host, "dedao.messaging.consumed");
        await host.StartAsync();
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        await probe.WaitForConsumerAsync("choosy.order.paid", MessagingFixture.Patience);

        var unwanted = MessagingFixture.NewOrderPaid() with { AmountFen = 0 };
        var wanted = MessagingFixture.NewOrderPaid();
        var unwantedId = await probe.PublishAsync(unwanted);
        await probe.PublishAsync(wanted);

        // Counted once committed, so its effect is there by then.
        await Poll.UntilAsync(() => Sum(consumed) == 1, MessagingFixture.Patience, () => $"{Sum(consumed)} consumed");
        Assert.Equal(1, await MessagingFixture.EffectsAsync(host, wanted.OrderId));
        Assert.Equal(0, await MessagingFixture.EffectsAsync(host, unwanted.OrderId));
        Assert.False(await MessagingFixture.InScopeAsync(host, db => db.Set<InboxMessage>().AnyAsync(m => m.MessageId == unwantedId)));
        Assert.Equal(0u, await probe.CountAsync("choosy.order.paid"));
        Assert.Equal(1, Sum(ignored));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_outbox_gauge_tells_the_age_of_the_oldest_row_the_relay_could_not_publish()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = servers.CreateHost("stranded", before: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(time);
            // A broker that is not there, asked once per try.
            builder.Configuration["ConnectionStrings:messaging"] = "amqp://guest:guest@127.0.0.1:1/";
            builder.Configuration["Aspire:RabbitMQ:Client:MaxConnectRetryCount"] = "0";
        });
        using var age = Collect<double>(host, "dedao.messaging.outbox.oldest_unsent_age");
        await host.StartAsync();

        var stranded = await MessagingFixture.InScopeAsync(host, async db =>
        {
            var row = db.AddIntegrationEvent(MessagingFixture.NewOrderPaid());
            await db.SaveChangesAsync();
            return row;
        });
        time.Advance(TimeSpan.FromSeconds(42));

        await Poll.UntilAsync(() =>
        {
            // The clock goes on while the test waits: a relay that went to sleep after the jump (its failed try was still
            // under way) would otherwise sleep for good.
            time.Advance(TimeSpan.FromSeconds(1));
            age.RecordObservableInstruments();
            return age.LastMeasurement?.Value >= 42;
        }, MessagingFixture.Patience, () => $"the gauge shows {age.LastMeasurement?.Value}");
        await host.StopAsync();
        // Not for the next test's relay to find.
        await MessagingFixture.InScopeAsync(host, db => db.Outbox.Where(m => m.Id == stranded.Id).ExecuteDeleteAsync());
    }

    private static MetricCollector<T> Collect<T>(IHost host, string instrument) where T : struct =>
        new(host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Dedao.Messaging", instrument);

    private static long Sum(MetricCollector<long> collector) => collector.GetMeasurementSnapshot().Sum(m => m.Value);
}
