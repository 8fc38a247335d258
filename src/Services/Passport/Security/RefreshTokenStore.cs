using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dedao.Passport.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dedao.Passport.Security;

/// <summary>
/// Opaque refresh tokens with rotation: each use swaps the token for a new one of the same family,
/// and a token presented after it was swapped means a copy leaked, so the whole family is revoked.
/// </summary>
public sealed class RefreshTokenStore(PassportDbContext db, IOptions<PassportOptions> options, TimeProvider time)
{
    private const int TokenBytes = 32;
    private const int MaxPresentedLength = 64;

    public async Task<string> IssueAsync(Guid userId, CancellationToken cancellationToken)
    {
        var (value, token) = Create(Guid.NewGuid(), Guid.NewGuid(), userId);
        db.RefreshTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return value;
    }

    /// <summary>The user and their new refresh token, or null when the presented one is not usable.</summary>
    public async Task<(User User, string RefreshToken)?> RotateAsync(string presented, CancellationToken cancellationToken)
    {
        if (presented.Length > MaxPresentedLength)
        {
            return null;
        }

        var hash = Hash(presented);
        var stored = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (stored is null || stored.RevokedAt is not null)
        {
            return null;
        }

        if (stored.ReplacedBy is not null)
        {
            await RevokeFamilyAsync(stored.FamilyId, cancellationToken);
            return null;
        }

        if (stored.ExpiresAt <= Now)
        {
            return null;
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == stored.UserId, cancellationToken);
        if (user is null)
        {
            return null;
        }

        var rotated = await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var (value, next) = Create(Guid.NewGuid(), stored.FamilyId, stored.UserId);

            // The conditional update is the claim: of two concurrent uses of one token only one wins.
            var claimed = await db.RefreshTokens
                .Where(t => t.Id == stored.Id && t.ReplacedBy == null && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.ReplacedBy, next.Id), ct);
            if (claimed == 0)
            {
                return null;
            }

            db.RefreshTokens.Add(next);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return value;
        }, cancellationToken);

        if (rotated is null)
        {
            // The other use won the race: the token was used twice, which is what a leak looks like.
            await RevokeFamilyAsync(stored.FamilyId, cancellationToken);
            return null;
        }

        return (user, rotated);
    }

    public Task<int> RevokeAllAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = Now;
        return db.RefreshTokens
            .Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
    }

    private Task<int> RevokeFamilyAsync(Guid familyId, CancellationToken cancellationToken)
    {
        var now = Now;
        return db.RefreshTokens
            .Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private (string Value, RefreshToken Token) Create(Guid id, Guid familyId, Guid userId)
    {
        var value = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        var now = Now;
        return (value, new RefreshToken
        {
            Id = id,
            TokenHash = Hash(value),
            FamilyId = familyId,
            UserId = userId,
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        });
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
