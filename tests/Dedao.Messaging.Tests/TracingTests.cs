using System.Collections.Concurrent;
using System.Diagnostics;
using Dedao.Testing;

namespace Dedao.Messaging.Tests;

[Collection(Messaging.Name)]
public sealed class TracingTests(MessagingFixture servers)
{
    private static readonly ActivitySource Requests = new("Dedao.Messaging.Tests");

    [Fact]
    public async Task One_trace_runs_from_the_request_that_wrote_the_event_through_the_relay_to_the_handler()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Dedao.Messaging" or "Dedao.Messaging.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var host = servers.CreateHost("traced");
        await host.StartAsync();

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
        await host.StopAsync();
    }
}
