using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Dedao.Passport.Security;

/// <summary>A usable signing key: the private half signs, the public half is published.</summary>
public sealed record SigningKeyMaterial(string KeyId, string Algorithm, ECDsaSecurityKey Key, ECParameters PublicParameters);

/// <summary>What the store loaded at one moment: the current key first, then the previous one.</summary>
public sealed record SigningKeySet(IReadOnlyList<SigningKeyMaterial> Keys, DateTimeOffset LoadedAt)
{
    public SigningKeyMaterial Current => Keys[0];
}
