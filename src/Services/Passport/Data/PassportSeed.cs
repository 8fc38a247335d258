using Dedao.Passport.Security;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Passport.Data;

/// <summary>Runs after the migrations: the first signing key, and the admin account from the AppHost's parameters.</summary>
public static class PassportSeed
{
    public const string AdminPhoneKey = "Parameters:admin-phone";
    public const string AdminPasswordKey = "Parameters:admin-password";

    public static async Task SeedAsync(PassportDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<SigningKeyStore>().GetAsync(cancellationToken);

        var configuration = services.GetRequiredService<IConfiguration>();
        var logger = services.GetRequiredService<ILogger<PassportDbContext>>();
        var phone = configuration[AdminPhoneKey];
        var password = configuration[AdminPasswordKey];
        if (string.IsNullOrWhiteSpace(phone) || string.IsNullOrEmpty(password))
        {
            logger.LogInformation("No admin account configured ({PhoneKey}, {PasswordKey})", AdminPhoneKey, AdminPasswordKey);
            return;
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        await EnsureAdminAsync(db, services.GetRequiredService<PasswordVerifier>(), phone.Trim(), password, now, cancellationToken);
    }

    private static async Task EnsureAdminAsync(PassportDbContext db, PasswordVerifier passwords, string phone, string password, DateTime now, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var admin = await db.Users.SingleOrDefaultAsync(u => u.Phone == phone, cancellationToken);
        if (admin is null)
        {
            admin = new User { Id = Guid.CreateVersion7(), Phone = phone, Nickname = "admin", CreatedAt = now };
            db.Users.Add(admin);
        }

        admin.AddRole(User.AdminRole);
        // The parameter is the source of truth: a changed admin-password takes effect on the next start.
        if (passwords.Check(admin, password) == PasswordCheck.Failed)
        {
            admin.PasswordHash = passwords.Hash(admin, password);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (exception.IsDuplicateKey())
        {
            // Another replica seeded the same admin at the same moment; theirs is as good.
            db.ChangeTracker.Clear();
        }
    }
}
