using Dedao.Passport.Data;
using Dedao.Passport.Security;

namespace Dedao.Passport.Apis;

/// <summary>What the account endpoints need, bound with [AsParameters] as eShop does.</summary>
public sealed class PassportServices(
    PassportDbContext db,
    PasswordVerifier passwords,
    AccessTokenIssuer accessTokens,
    RefreshTokenStore refreshTokens,
    LoginThrottle throttle,
    TimeProvider time)
{
    public PassportDbContext Db { get; } = db;
    public PasswordVerifier Passwords { get; } = passwords;
    public AccessTokenIssuer AccessTokens { get; } = accessTokens;
    public RefreshTokenStore RefreshTokens { get; } = refreshTokens;
    public LoginThrottle Throttle { get; } = throttle;
    public TimeProvider Time { get; } = time;
}
