using MySqlConnector;

namespace Dedao.Commerce.Tests;

/// <summary>api.md's money invariants, read straight from the services' own databases after a test's dust has settled.</summary>
internal static class Invariants
{
    public static async Task AssertHoldAsync(CommerceFixture platform)
    {
        // A balance is never negative and always equals the sum of its ledger.
        Assert.Equal(0L, await ScalarAsync(platform, "coindb", """
            SELECT COUNT(*) FROM Wallets w
            WHERE w.Balance < 0 OR w.Balance <> (SELECT COALESCE(SUM(e.Delta), 0) FROM LedgerEntries e WHERE e.UserId = w.UserId)
            """));
        // A refund gives back exactly what its purchase took.
        Assert.Equal(0L, await ScalarAsync(platform, "coindb", """
            SELECT COUNT(*) FROM LedgerEntries r
            WHERE r.Reason = 'Refund'
              AND -r.Delta <> (SELECT COALESCE(SUM(-p.Delta), 0) FROM LedgerEntries p WHERE p.RefId = r.RefId AND p.Reason = 'Purchase')
            """));
        // A product is bought at most once by a user: at most one paid or completed order each.
        Assert.Equal(0L, await ScalarAsync(platform, "orderdb", """
            SELECT COUNT(*) FROM (
              SELECT UserId FROM Orders WHERE Status IN ('Paid', 'Completed') GROUP BY UserId, ProductType, ProductId HAVING COUNT(*) > 1
            ) doubled
            """));
        // An order is paid by the payment it names, which succeeded; any other success for it is refunded or on its way back.
        Assert.Equal(0L, await ScalarAsync(platform, "orderdb",
            "SELECT COUNT(*) FROM Orders WHERE Status IN ('Paid', 'Completed') AND PaymentId IS NULL"));
    }

    /// <summary>The coins a user's wallet holds, the sum of the ledger and the number of entries by reason, from coin's database.</summary>
    public static async Task<long> LedgerCountAsync(CommerceFixture platform, Guid userId, string reason) =>
        await ScalarAsync(platform, "coindb", "SELECT COUNT(*) FROM LedgerEntries WHERE UserId = @user AND Reason = @reason",
            ("@user", userId.ToString()), ("@reason", reason));

    private static async Task<long> ScalarAsync(CommerceFixture platform, string database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new MySqlConnection(await platform.ConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
