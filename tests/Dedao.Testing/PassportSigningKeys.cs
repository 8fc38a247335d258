using System.Security.Cryptography;
using MySqlConnector;

namespace Dedao.Testing;

/// <summary>
/// Passport's signing keys as stored in its database, read the way an attacker with a backup would: with one, a test
/// makes a token that is right in every way but the one under test.
/// </summary>
public static class PassportSigningKeys
{
    /// <summary>The private key with <paramref name="keyId"/>, or the newest generation's when it is null.</summary>
    public static async Task<(string KeyId, ECDsa Key)> ReadAsync(string passportDb, string? keyId = null)
    {
        await using var connection = new MySqlConnection(passportDb);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(keyId is null
            ? "SELECT KeyId, PrivateKeyPkcs8 FROM signing_keys ORDER BY Generation DESC LIMIT 1"
            : "SELECT KeyId, PrivateKeyPkcs8 FROM signing_keys WHERE KeyId = @kid", connection);
        command.Parameters.AddWithValue("@kid", keyId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"passport stored no signing key{(keyId is null ? "" : $" with kid {keyId}")}");
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey((byte[])reader["PrivateKeyPkcs8"], out _);
        return (reader.GetString(0), key);
    }
}
