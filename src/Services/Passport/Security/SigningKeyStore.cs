using System.Buffers.Text;
using System.Security.Cryptography;
using Dedao.Passport.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Dedao.Passport.Security;

/// <summary>
/// Keeps the signing keys in passport's database so every replica signs with the same key and the
/// key survives restarts. The unique generation column decides which replica's new key wins.
/// </summary>
public sealed class SigningKeyStore(
    IServiceScopeFactory scopes,
    IOptions<PassportOptions> options,
    TimeProvider time,
    ILogger<SigningKeyStore> logger) : IDisposable
{
    private const int PublishedKeyCount = 2;

    // Another replica may rotate the key; this bounds how long this one signs with the older key.
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);

    // An unknown kid asks for a reload; this stops a flood of forged kids from hammering the database.
    private static readonly TimeSpan MinReloadInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile SigningKeySet? _keys;
    private volatile bool _reloadRequested;

    public async Task<SigningKeySet> GetAsync(CancellationToken cancellationToken)
    {
        if (_keys is { } cached && !IsStale(cached))
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_keys is { } fresh && !IsStale(fresh))
            {
                return fresh;
            }

            _reloadRequested = false;
            try
            {
                _keys = await LoadAsync(cancellationToken);
            }
            catch (Exception exception) when (_keys is { } stale && exception is not OperationCanceledException)
            {
                // Keys a few minutes old beat no keys while the database is away; try again shortly, not per request.
                logger.LogWarning(exception, "Signing keys could not be reloaded; keeping the ones loaded at {LoadedAt}", stale.LoadedAt);
                _keys = stale with { LoadedAt = time.GetUtcNow() - CacheLifetime + MinReloadInterval };
            }

            return _keys;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void RequestReload() => _reloadRequested = true;

    public void Dispose() => _gate.Dispose();

    private bool IsStale(SigningKeySet keys)
    {
        var age = time.GetUtcNow() - keys.LoadedAt;
        return age >= CacheLifetime || (_reloadRequested && age >= MinReloadInterval);
    }

    private async Task<SigningKeySet> LoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PassportDbContext>();

        var newest = await ReadNewestAsync(db, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        if (newest.Count == 0 || now - newest[0].CreatedAt >= options.Value.SigningKeyRotation)
        {
            await TryCreateAsync(db, (newest.Count == 0 ? 0 : newest[0].Generation) + 1, now, cancellationToken);
            newest = await ReadNewestAsync(db, cancellationToken);
        }

        return new SigningKeySet([.. newest.Select(ToMaterial)], time.GetUtcNow());
    }

    private static Task<List<SigningKey>> ReadNewestAsync(PassportDbContext db, CancellationToken cancellationToken) =>
        db.SigningKeys.AsNoTracking()
            .OrderByDescending(k => k.Generation)
            .Take(PublishedKeyCount)
            .ToListAsync(cancellationToken);

    private async Task TryCreateAsync(PassportDbContext db, int generation, DateTime now, CancellationToken cancellationToken)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        db.SigningKeys.Add(new SigningKey
        {
            Generation = generation,
            KeyId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            Algorithm = SecurityAlgorithms.EcdsaSha256,
            PrivateKeyPkcs8 = ecdsa.ExportPkcs8PrivateKey(),
            CreatedAt = now,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Created signing key generation {Generation}", generation);
        }
        catch (DbUpdateException exception) when (exception.IsDuplicateKey())
        {
            // Another replica created this generation first; the caller re-reads and uses theirs.
            db.ChangeTracker.Clear();
            logger.LogInformation("Signing key generation {Generation} was created by another replica", generation);
        }
    }

    private static SigningKeyMaterial ToMaterial(SigningKey stored)
    {
        // Lives as long as the key set that holds it: signing may still be in flight after a reload.
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(stored.PrivateKeyPkcs8, out _);
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = stored.KeyId };
        return new SigningKeyMaterial(stored.KeyId, stored.Algorithm, key, ecdsa.ExportParameters(includePrivateParameters: false));
    }
}
