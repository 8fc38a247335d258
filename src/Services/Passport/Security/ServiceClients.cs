using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Dedao.Passport.Security;

/// <summary>The services that may ask passport for a token of their own, each with the secret the AppHost generated for it.</summary>
public sealed class ServiceClients(IOptionsMonitor<PassportOptions> options)
{
    public bool Verify(string clientId, string secret)
    {
        // An unknown client is compared against a secret nobody has, so its answer takes as long as a wrong secret's.
        var expected = options.CurrentValue.Clients.TryGetValue(clientId, out var known) && known.Length > 0
            ? known
            : null;
        // Hashed first, so the comparison's time does not depend on where or whether the lengths differ.
        var matches = CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(secret)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected ?? Guid.NewGuid().ToString())));
        return expected is not null && matches;
    }
}
