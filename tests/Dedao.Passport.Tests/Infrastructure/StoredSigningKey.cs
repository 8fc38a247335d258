using System.Security.Cryptography;

namespace Dedao.Passport.Tests.Infrastructure;

/// <summary>Passport's signing keys as stored in its database, read the way an attacker with a backup would.</summary>
public static class StoredSigningKey
{
    public static Task<(string KeyId, ECDsa Key)> CurrentAsync(MySqlServer mySql, string database) =>
        mySql.QueryAsync(database, "SELECT KeyId, PrivateKeyPkcs8 FROM signing_keys ORDER BY Generation DESC LIMIT 1", reader =>
        {
            Assert.True(reader.Read(), "passport stored no signing key");
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey((byte[])reader["PrivateKeyPkcs8"], out _);
            return (reader.GetString(0), key);
        });

    public static Task<List<(int Generation, string KeyId)>> AllAsync(MySqlServer mySql, string database) =>
        mySql.QueryAsync(database, "SELECT Generation, KeyId FROM signing_keys ORDER BY Generation", reader =>
        {
            var keys = new List<(int, string)>();
            while (reader.Read())
            {
                keys.Add((reader.GetInt32(0), reader.GetString(1)));
            }

            return keys;
        });
}
