using Dedao.Messaging;
using Dedao.ServiceDefaults.Apis;
using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Coin.Data;

public class CoinDbContext(DbContextOptions<CoinDbContext> options) : DbContext(options)
{
    public DbSet<Wallet> Wallets => Set<Wallet>();
    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();
    public DbSet<Topup> Topups => Set<Topup>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Wallet>(wallet =>
        {
            wallet.HasKey(w => w.UserId);
            // The key is passport's user id, never made up here.
            wallet.Property(w => w.UserId).ValueGeneratedNever();
            // The last guard of "a balance is never negative", whatever a bug in the code above it does.
            wallet.ToTable(t => t.HasCheckConstraint("CK_Wallets_Balance", "`Balance` >= 0"));
        });
        modelBuilder.Entity<LedgerEntry>(entry =>
        {
            entry.ToTable("LedgerEntries");
            entry.Property(e => e.Reason).HasConversion<string>().HasMaxLength(16);
            entry.Property(e => e.RefId).HasMaxLength(64);
            // A user's entries, newest first.
            entry.HasIndex(e => new { e.UserId, e.Id });
            // The last line of defence against a doubled debit, credit or refund: one entry per cause.
            entry.HasIndex(e => new { e.RefId, e.Reason }).IsUnique();
        });
        modelBuilder.Entity<Topup>(topup =>
        {
            topup.Property(t => t.Status).HasConversion<string>().HasMaxLength(16);
            topup.HasIndex(t => t.UserId);
        });
        modelBuilder.AddIdempotencyTable();
        modelBuilder.AddMessagingTables();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    // DATETIME keeps no zone; every time stored here is UTC, so it is read back as UTC.
}
