using System.Collections.Concurrent;
using System.Diagnostics;
using Dedao.Contracts;
using Dedao.Testing;

namespace Dedao.Messaging.Tests;

[Collection(Messaging.Name)]
public sealed class TracingTests(MessagingFixture servers)
{
    private static readonly ActivitySource Requests = new("Dedao.Messaging.Tests");

    [Fact]
    public async Task One_trace_runs_from_the_request_that_wrote_the_event_through_the_relay_and_the_handler_to_the_event_it_writes()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Dedao.Messaging" or "Dedao.Messaging.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var probe = await EventBusProbe.ConnectAsync(servers.RabbitMQ);
        var granted = await probe.SubscribeAsync<AccessGranted>();
        using var host = servers.CreateHost("traced", new HandlerScript { Grant = true });
        await host.StartAsync();
        await probe.WaitForConsumerAsync("traced.order.paid", MessagingFixture.Patience);

        var @event = MessagingFixture.NewOrderPaid();
        ActivityTraceId traceId;
        using (var request = Requests.StartActivity("POST /api/v1/orders", ActivityKind.Server))
        {
            traceId = request!.TraceId;
            await MessagingFixture.InScopeAsync(host, db =>
            {
                db.AddIntegrationEvent(@event);
                return db.SaveChangesAsync();
            });
        }

        await Poll.UntilAsync(() => stopped.Any(a => a.DisplayName == "traced.order.paid process" && a.TraceId == traceId),
            MessagingFixture.Patience, () => $"no process span in trace {traceId}: {string.Join(", ", stopped.Select(a => $"{a.DisplayName} {a.TraceId}"))}");
        var publish = Assert.Single(stopped, a => a.DisplayName == "order.paid publish" && a.TraceId == traceId);
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        var process = Assert.Single(stopped, a => a.DisplayName == "traced.order.paid process" && a.TraceId == traceId);
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal(1, await MessagingFixture.EffectsAsync(host, @event.OrderId));
        // Written by the handler, committed with its inbox row, and on its way as soon as that commit is done.
        var reply = await granted.WaitForAsync(e => e.OrderId == @event.OrderId, MessagingFixture.Patience);
        Assert.Equal(traceId.ToString(), reply.TraceParent?.Split('-')[1]);
        await host.StopAsync();
    }
}
