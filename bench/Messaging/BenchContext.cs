using System.Collections.Concurrent;
using System.Diagnostics;
using Dedao.Contracts;
using Dedao.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Bench.Messaging;

public sealed class Delivery
{
    public long Id { get; set; }

    public long OrderId { get; set; }
}

public sealed class BenchContext(DbContextOptions<BenchContext> options) : DbContext(options)
{
    public DbSet<Delivery> Deliveries => Set<Delivery>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddMessagingTables();
}

/// <summary>A handler with one row of effect, as a grant of access would have; notes when each order arrived.</summary>
public sealed class DeliveryHandler(BenchContext db, Arrivals arrivals) : IEventHandler<OrderPaid>
{
    public Task HandleAsync(OrderPaid @event, EventContext context, CancellationToken cancellationToken)
    {
        db.Deliveries.Add(new Delivery { OrderId = @event.OrderId });
        arrivals.At[@event.OrderId] = Stopwatch.GetTimestamp();
        return Task.CompletedTask;
    }
}

public sealed class Arrivals
{
    public ConcurrentDictionary<long, long> At { get; } = new();
}
