using System.Collections.Concurrent;
using Dedao.Contracts;

namespace Dedao.Messaging.Tests;

/// <summary>Records its effect, unless the test's <see cref="HandlerScript"/> says to fail this try.</summary>
public sealed class RecordingHandler(ShopContext db, HandlerScript script) : IEventHandler<OrderPaid>
{
    /// <summary>An order of nothing is not this handler's business.</summary>
    public static bool Wants(OrderPaid @event) => @event.AmountFen > 0;

    public Task HandleAsync(OrderPaid @event, EventContext context, CancellationToken cancellationToken)
    {
        script.Record(@event, context);
        if (script.Fail(@event, context))
        {
            throw script.Transient
                ? new TimeoutException($"Scripted timeout of try {context.Attempt}")
                : new InvalidOperationException($"Scripted failure of try {context.Attempt}");
        }

        db.Effects.Add(new Effect { MessageId = context.MessageId, OrderId = @event.OrderId, Attempt = context.Attempt });
        if (script.Grant)
        {
            db.AddIntegrationEvent(new AccessGranted(@event.OrderId, @event.UserId, @event.ProductType, @event.ProductId));
        }

        return Task.CompletedTask;
    }
}

public sealed class HandlerScript
{
    public Func<OrderPaid, EventContext, bool> Fail { get; set; } = (_, _) => false;

    /// <summary>Fail as a dependency does (a timeout), not as a bug does.</summary>
    public bool Transient { get; init; }

    /// <summary>Publish <see cref="AccessGranted"/> in reply, as column and course do.</summary>
    public bool Grant { get; init; }

    // Every try of every event: other tests' events reach a queue too, since each binds order.paid.
    private readonly ConcurrentQueue<(OrderPaid Event, EventContext Context, DateTime At)> _tries = new();

    public void Record(OrderPaid @event, EventContext context) => _tries.Enqueue((@event, context, DateTime.UtcNow));

    public (OrderPaid Event, EventContext Context, DateTime At)[] TriesOf(OrderPaid @event) => [.. _tries.Where(t => t.Event == @event)];
}
