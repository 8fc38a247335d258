using Dedao.Messaging;
using Dedao.ServiceDefaults.Apis;
using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Order.Data;

public class OrderDbContext(DbContextOptions<OrderDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(order =>
        {
            order.Property(o => o.ProductType).HasConversion<string>().HasMaxLength(16);
            order.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
            // A user's orders, newest first; and whether they own a product.
            order.HasIndex(o => new { o.UserId, o.Id });
            order.HasIndex(o => new { o.UserId, o.ProductType, o.ProductId });
            // The expiry scan's pending orders, oldest deadline first.
            order.HasIndex(o => new { o.Status, o.ExpiresAt });
        });
        modelBuilder.AddIdempotencyTable();
        modelBuilder.AddMessagingTables();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    // DATETIME keeps no zone; every time stored here is UTC, so it is read back as UTC.
}
