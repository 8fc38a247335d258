using Dedao.Messaging;
using Dedao.ServiceDefaults.Apis;
using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Pay.Data;

public class PayDbContext(DbContextOptions<PayDbContext> options) : DbContext(options)
{
    public DbSet<Payment> Payments => Set<Payment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Payment>(payment =>
        {
            payment.Property(p => p.Channel).HasConversion<string>().HasMaxLength(16);
            payment.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
            payment.Property(p => p.ProviderTransactionId).HasMaxLength(64);
            payment.HasIndex(p => p.OrderId);
            // One payment per top-up, one coin payment per order, whatever races: the last line of defence.
            payment.HasIndex(p => p.TopupId).IsUnique();
            payment.HasIndex(p => p.CoinOrderId).IsUnique();
            // The reconciler's round: pending payments by age.
            payment.HasIndex(p => new { p.Status, p.CreatedAt });
        });
        modelBuilder.AddIdempotencyTable();
        modelBuilder.AddMessagingTables();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    // DATETIME keeps no zone; every time stored here is UTC, so it is read back as UTC.
}
