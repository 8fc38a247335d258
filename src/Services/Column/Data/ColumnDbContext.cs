using Dedao.Messaging;
using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Data;

public class ColumnDbContext(DbContextOptions<ColumnDbContext> options) : DbContext(options)
{
    public DbSet<Author> Authors => Set<Author>();
    public DbSet<Column> Columns => Set<Column>();
    public DbSet<Article> Articles => Set<Article>();
    public DbSet<Subscription> Subscriptions => Set<Subscription>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessagingTables();
        modelBuilder.Entity<Author>().Property(a => a.Name).HasMaxLength(64);
        modelBuilder.Entity<Column>(column =>
        {
            column.Property(c => c.Title).HasMaxLength(200);
            column.HasOne(c => c.Author).WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);
            column.HasMany(c => c.Articles).WithOne(a => a.Column).HasForeignKey(a => a.ColumnId);
        });
        modelBuilder.Entity<Article>().Property(a => a.Title).HasMaxLength(200);
        // One row per reader and column: a repeat of the same grant finds it instead of adding another.
        modelBuilder.Entity<Subscription>().HasKey(s => new { s.UserId, s.ColumnId });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    // DATETIME keeps no zone; every time stored here is UTC, so it is read back as UTC.
}
