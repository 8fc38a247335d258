using Dedao.Passport.Data;
using Microsoft.AspNetCore.Identity;

namespace Dedao.Passport.Security;

public enum PasswordCheck
{
    Failed,
    Succeeded,
    SucceededRehashNeeded,
}

/// <summary>
/// Checks passwords with Identity's PBKDF2 hasher. An unknown phone is checked against a dummy hash so
/// both failures take the same time and the response time does not tell which phones exist.
/// </summary>
public sealed class PasswordVerifier(IPasswordHasher<User> hasher)
{
    private static readonly User Nobody = new() { Phone = "", Nickname = "" };
    private readonly Lazy<string> _dummyHash = new(() => hasher.HashPassword(Nobody, Guid.NewGuid().ToString()));

    public string Hash(User user, string password) => hasher.HashPassword(user, password);

    public PasswordCheck Check(User? user, string password)
    {
        if (user is null)
        {
            hasher.VerifyHashedPassword(Nobody, _dummyHash.Value, password);
            return PasswordCheck.Failed;
        }

        return hasher.VerifyHashedPassword(user, user.PasswordHash, password) switch
        {
            PasswordVerificationResult.Success => PasswordCheck.Succeeded,
            PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.SucceededRehashNeeded,
            _ => PasswordCheck.Failed,
        };
    }
}
