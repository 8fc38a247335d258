using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Comment.Data;

public class CommentDbContext(DbContextOptions<CommentDbContext> options) : DbContext(options)
{
    public DbSet<Comment> Comments => Set<Comment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Comment>(comment =>
        {
            comment.Property(c => c.Nickname).HasMaxLength(32);
            comment.Property(c => c.Content).HasMaxLength(2000);
            comment.Property(c => c.TargetType).HasConversion<string>().HasMaxLength(16);
            comment.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
            // The public list: one target's featured comments, newest featured first.
            comment.HasIndex(c => new { c.TargetType, c.TargetId, c.Status, c.FeaturedAt });
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    // DATETIME keeps no zone; every time stored here is UTC, so it is read back as UTC.
}
