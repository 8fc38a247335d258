using System.Collections.Concurrent;
using Dedao.Contracts;

namespace Dedao.Messaging.Tests;

/// <summary>Records its effect, unless the test's <see cref="HandlerScript"/> says to fail this try.</summary>
public sealed class RecordingHandler(ShopContext db, HandlerScript script) : IEventHandler<OrderPaid>
{
    public Task HandleAsync(OrderPaid @event, EventContext context, CancellationToken cancellationToken)
    {
        script.Tries.Enqueue((context, DateTime.UtcNow));
        if (script.Fail(@event, context))
        {
            throw new InvalidOperationException($"Scripted failure of try {context.Attempt}");
        }

        db.Effects.Add(new Effect { MessageId = context.MessageId, OrderId = @event.OrderId, Attempt = context.Attempt });
        return Task.CompletedTask;
    }
}

public sealed class HandlerScript
{
    public Func<OrderPaid, EventContext, bool> Fail { get; set; } = (_, _) => false;

    public ConcurrentQueue<(EventContext Context, DateTime At)> Tries { get; } = new();
}
