using Dedao.Messaging;
using Dedao.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Comment.Data;

public class CommentDbContext(DbContextOptions<CommentDbContext> options) : DbContext(options)
{
    public DbSet<Comment> Comments => Set<Comment>();
    public DbSet<CommentLike> Likes => Set<CommentLike>();
    public DbSet<Purchase> Purchases => Set<Purchase>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddMessagingTables();
        modelBuilder.Entity<Comment>(comment =>
        {
            comment.Property(c => c.Nickname).HasMaxLength(32);
            comment.Property(c => c.Content).HasMaxLength(2000);
            comment.Property(c => c.TargetType).HasConversion<string>().HasMaxLength(16);
            comment.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
            // The cache's key, as FeaturedKey writes it: one target's featured comments, read together.
            comment.Property(c => c.FeaturedTarget).HasMaxLength(40)
                .HasComputedColumnSql("CASE WHEN `Status` = 'Featured' THEN CONCAT(`TargetType`, ':', `TargetId`) END", stored: true);
            comment.HasIndex(c => c.FeaturedTarget);
            // The writer's own list, newest first.
            comment.HasIndex(c => new { c.UserId, c.Id });
        });
        modelBuilder.Entity<CommentLike>(like =>
        {
            like.ToTable("CommentLikes");
            like.HasKey(l => new { l.CommentId, l.UserId });
            like.HasOne<Comment>().WithMany().HasForeignKey(l => l.CommentId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Purchase>(purchase =>
        {
            purchase.HasKey(p => new { p.UserId, p.ProductType, p.ProductId });
            purchase.Property(p => p.ProductType).HasConversion<string>().HasMaxLength(16);
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();

    // DATETIME keeps no zone; every time stored here is UTC, so it is read back as UTC.
}
