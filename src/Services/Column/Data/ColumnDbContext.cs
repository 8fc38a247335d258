using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Data;

public class ColumnDbContext(DbContextOptions<ColumnDbContext> options) : DbContext(options)
{
    public DbSet<Column> Columns => Set<Column>();
    public DbSet<Article> Articles => Set<Article>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Column>(column =>
        {
            column.Property(c => c.Title).HasMaxLength(200);
            column.Property(c => c.Author).HasMaxLength(64);
            column.HasMany(c => c.Articles).WithOne().HasForeignKey(a => a.ColumnId);
        });
        modelBuilder.Entity<Article>().Property(a => a.Title).HasMaxLength(200);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    // DATETIME keeps no zone; every time stored here is UTC, so it is read back as UTC.
}
