using Microsoft.EntityFrameworkCore;

namespace Dedao.Passport.Data;

public sealed class PassportDbContext(DbContextOptions<PassportDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.Property(u => u.Phone).HasMaxLength(16);
            user.HasIndex(u => u.Phone).IsUnique();
            user.Property(u => u.Nickname).HasMaxLength(64);
            user.Property(u => u.PasswordHash).HasMaxLength(256);
            user.Property(u => u.Roles).HasMaxLength(256);
            user.Ignore(u => u.RoleList);
        });

        modelBuilder.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens");
            token.Property(t => t.TokenHash).HasMaxLength(32).IsFixedLength();
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.FamilyId);
            token.HasIndex(t => t.UserId);
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<SigningKey>(key =>
        {
            key.ToTable("signing_keys");
            key.HasIndex(k => k.Generation).IsUnique();
            key.Property(k => k.KeyId).HasMaxLength(64);
            key.HasIndex(k => k.KeyId).IsUnique();
            key.Property(k => k.Algorithm).HasMaxLength(16);
            key.Property(k => k.PrivateKeyPkcs8).HasMaxLength(4096);
        });
    }
}
