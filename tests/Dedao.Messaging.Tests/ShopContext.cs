using Dedao.Messaging;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Messaging.Tests;

/// <summary>A service's state: what a producer changes, and what a handler's effect is.</summary>
public sealed class Purchase
{
    public long Id { get; set; }

    public long OrderId { get; set; }
}

public sealed class Effect
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public long OrderId { get; set; }

    public int Attempt { get; set; }
}

public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
{
    public DbSet<Purchase> Purchases => Set<Purchase>();

    public DbSet<Effect> Effects => Set<Effect>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddMessagingTables();
}
