using System.Globalization;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Dedao.Contracts;
using Dedao.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using MySqlConnector;

namespace Dedao.Messaging.Tests;

[Collection(Messaging.Name)]
public sealed class ConsumerTests(MessagingFixture servers)
{
    [Fact]
    public async Task A_service_is_not_healthy_until_it_consumes_every_queue_it_subscribes_to()
    {
        using var host = servers.CreateHost("ready");
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var before = await health.CheckHealthAsync(r => r.Name == "event-consumers");
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Contains("ready.order.paid", before.Entries["event-consumers"].Description);

        await host.StartAsync();
        await Poll.UntilAsync(async () => (await health.CheckHealthAsync(r => r.Name == "event-consumers")).Status == HealthStatus.Healthy,
            MessagingFixture.Patience, () => "the consumers never reported healthy");
        // Healthy means bound: what is published from now on is delivered.
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        var @event = MessagingFixture.NewOrderPaid();
        await probe.PublishAsync(@event);
        await Poll.UntilAsync(async () => await MessagingFixture.EffectsAsync(host, @event.OrderId) == 1, MessagingFixture.Patience,
            () => $"order {@event.OrderId} was not handled");
        await host.StopAsync();
    }

    [Fact]
    public async Task The_same_message_id_twice_has_one_effect_and_both_copies_are_acked()
    {
        // One at a time, so that once the marker is handled both copies before it are too.
        using var host = servers.CreateHost("dedup", configure: options => options.ConsumerConcurrency = 1);
        await host.StartAsync();
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        await probe.WaitForConsumerAsync("dedup.order.paid", MessagingFixture.Patience);

        var twice = MessagingFixture.NewOrderPaid();
        var marker = MessagingFixture.NewOrderPaid();
        var messageId = await probe.PublishAsync(twice);
        await probe.PublishAsync(twice, messageId);
        await probe.PublishAsync(marker);

        await Poll.UntilAsync(async () => await MessagingFixture.EffectsAsync(host, marker.OrderId) == 1, MessagingFixture.Patience,
            () => "the marker was not handled");
        Assert.Equal(1, await MessagingFixture.EffectsAsync(host, twice.OrderId));
        Assert.Equal(1, await MessagingFixture.InScopeAsync(host, db => db.Set<InboxMessage>().CountAsync(m => m.MessageId == messageId)));
        Assert.Equal(0u, await probe.CountAsync("dedup.order.paid"));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_handler_that_fails_twice_is_retried_after_each_delay_and_has_its_effect_once()
    {
        var @event = MessagingFixture.NewOrderPaid();
        var script = new HandlerScript { Fail = (paid, context) => paid == @event && context.Attempt <= 2 };
        using var host = servers.CreateHost("flaky", script);
        await host.StartAsync();
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        await probe.WaitForConsumerAsync("flaky.order.paid", MessagingFixture.Patience);

        await probe.PublishAsync(@event);

        await Poll.UntilAsync(async () => await MessagingFixture.EffectsAsync(host, @event.OrderId) == 1, MessagingFixture.Patience,
            () => $"not handled after {script.TriesOf(@event).Length} tries");
        var tries = script.TriesOf(@event);
        Assert.Equal([1, 2, 3], tries.Select(t => t.Context.Attempt));
        Assert.All(tries, t => Assert.Equal(tries[0].Context.MessageId, t.Context.MessageId));
        // Each retry waits at least its delay queue's TTL (300 ms, then 600 ms).
        Assert.True(tries[1].At - tries[0].At >= TimeSpan.FromMilliseconds(300), $"{tries[1].At - tries[0].At}");
        Assert.True(tries[2].At - tries[1].At >= TimeSpan.FromMilliseconds(600), $"{tries[2].At - tries[1].At}");
        Assert.Equal(0u, await probe.CountAsync("flaky.order.paid.dead"));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_message_that_always_fails_is_parked_as_a_dead_letter_which_the_dashboard_counts_and_replays_to_the_fixed_handler()
    {
        var @event = MessagingFixture.NewOrderPaid();
        var script = new HandlerScript { Fail = (paid, _) => paid == @event };
        using var host = servers.CreateHost("broken", script);
        await host.StartAsync();
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        await probe.WaitForConsumerAsync("broken.order.paid", MessagingFixture.Patience);

        await probe.PublishAsync(@event);

        await Poll.UntilAsync(async () => await probe.CountAsync("broken.order.paid.dead") == 1, MessagingFixture.Patience,
            () => $"not dead-lettered after {script.TriesOf(@event).Length} tries");
        Assert.Equal([1, 2, 3], script.TriesOf(@event).Select(t => t.Context.Attempt));
        Assert.Equal(0, await MessagingFixture.EffectsAsync(host, @event.OrderId));
        Assert.Equal(1u, (await ExecuteAsync(RabbitMQDeadLetterCommands.ShowCommandName))["broken.order.paid.dead"]);

        script.Fail = (_, _) => false;
        Assert.Equal(1u, (await ExecuteAsync(RabbitMQDeadLetterCommands.ReplayCommandName))["broken.order.paid.dead"]);

        await Poll.UntilAsync(async () => await MessagingFixture.EffectsAsync(host, @event.OrderId) == 1, MessagingFixture.Patience,
            () => "the replayed message was not handled");
        // Replayed as new: its tries start again from the first.
        Assert.Equal(1, script.TriesOf(@event)[^1].Context.Attempt);
        Assert.Equal(0u, await probe.CountAsync("broken.order.paid.dead"));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_handler_that_times_out_more_often_than_there_are_delays_is_retried_at_the_last_delay_and_never_dead_lettered()
    {
        var @event = MessagingFixture.NewOrderPaid();
        var script = new HandlerScript { Fail = (paid, context) => paid == @event && context.Attempt <= 4, Transient = true };
        using var host = servers.CreateHost("timingout", script);
        await host.StartAsync();
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        await probe.WaitForConsumerAsync("timingout.order.paid", MessagingFixture.Patience);

        await probe.PublishAsync(@event);

        await Poll.UntilAsync(async () => await MessagingFixture.EffectsAsync(host, @event.OrderId) == 1, MessagingFixture.Patience,
            () => $"not handled after {script.TriesOf(@event).Length} tries");
        var tries = script.TriesOf(@event);
        Assert.Equal([1, 2, 3, 4, 5], tries.Select(t => t.Context.Attempt));
        // Past the two delays (300 ms, 600 ms), each further try waits the last one.
        Assert.All(tries.Skip(3).Zip(tries.Skip(2)), pair =>
            Assert.True(pair.First.At - pair.Second.At >= TimeSpan.FromMilliseconds(600), $"{pair.First.At - pair.Second.At}"));
        Assert.Equal(0u, await probe.CountAsync("timingout.order.paid.dead"));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_handler_waits_on_a_lock_longer_than_the_request_budget_and_succeeds_on_its_first_try()
    {
        var @event = MessagingFixture.NewOrderPaid();
        var messageId = Guid.NewGuid();
        var script = new HandlerScript();
        using var host = servers.CreateHost("patient", script);
        await host.StartAsync();
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        await probe.WaitForConsumerAsync("patient.order.paid", MessagingFixture.Patience);

        // Another transaction holds the message's inbox key, as a copy being handled elsewhere would.
        await using var holder = new MySqlConnection(servers.MySql);
        await holder.OpenAsync();
        await using var watcher = new MySqlConnection(servers.MySql);
        await watcher.OpenAsync();
        await using (var holding = await holder.BeginTransactionAsync())
        {
            await using (var insert = new MySqlCommand(
                "INSERT INTO inbox (message_id, consumer, received_at) VALUES (@id, 'patient.order.paid', UTC_TIMESTAMP())", holder, holding))
            {
                insert.Parameters.AddWithValue("@id", messageId);
                await insert.ExecuteNonQueryAsync();
            }

            await probe.PublishAsync(@event, messageId);
            // Held until the handler has waited past the connection string's 1 s command timeout.
            await Poll.UntilAsync(async () => await ScalarAsync(watcher,
                    "SELECT COALESCE(MAX(TIMESTAMPDIFF(MICROSECOND, trx_wait_started, NOW())), 0) FROM information_schema.INNODB_TRX " +
                    "WHERE trx_state = 'LOCK WAIT'") > 1_500_000,
                MessagingFixture.Patience, () => "the handler never waited 1.5 s on the held inbox key");
            await holding.RollbackAsync();
        }

        await Poll.UntilAsync(async () => await MessagingFixture.EffectsAsync(host, @event.OrderId) == 1, MessagingFixture.Patience,
            () => $"not handled after {script.TriesOf(@event).Length} tries");
        Assert.Equal([1], script.TriesOf(@event).Select(t => t.Context.Attempt));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_body_that_cannot_be_read_goes_to_the_dead_letter_queue_at_once()
    {
        using var host = servers.CreateHost("poison");
        await host.StartAsync();
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        await probe.WaitForConsumerAsync("poison.order.paid", MessagingFixture.Patience);

        await probe.PublishRawAsync(OrderPaid.EventName, Encoding.UTF8.GetBytes("{\"orderId\": \"not a number\""), Guid.NewGuid());

        await Poll.UntilAsync(async () => await probe.CountAsync("poison.order.paid.dead") == 1, MessagingFixture.Patience,
            () => "the poison message was not dead-lettered");
        await host.StopAsync();
    }

    /// <returns>The message count of each dead-letter queue the command reports.</returns>
    private async Task<Dictionary<string, uint>> ExecuteAsync(string command)
    {
        var result = await servers.App.ResourceCommands.ExecuteCommandAsync("messaging", command);
        Assert.True(result.Success, result.Message);
        return JsonSerializer.Deserialize<Dictionary<string, uint>>(result.Data!.Value)!;
    }

    private static async Task<long> ScalarAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}

