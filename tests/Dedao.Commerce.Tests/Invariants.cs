using MySqlConnector;

namespace Dedao.Commerce.Tests;

/// <summary>api.md's money invariants, read straight from the services' own databases after a test's dust has settled.</summary>
internal static class Invariants
{
    public static async Task AssertHoldAsync(CommerceFixture platform)
    {
        await AssertNoneAsync(platform, "wallets negative or not the sum of their ledger", "coindb", """
            SELECT COUNT(*) FROM Wallets w
            WHERE w.Balance < 0 OR w.Balance <> (SELECT COALESCE(SUM(e.Delta), 0) FROM LedgerEntries e WHERE e.UserId = w.UserId)
            """);
        await AssertNoneAsync(platform, "refunds that differ from their purchase", "coindb", """
            SELECT COUNT(*) FROM LedgerEntries r
            WHERE r.Reason = 'Refund'
              AND r.Delta <> (SELECT COALESCE(SUM(-p.Delta), 0) FROM LedgerEntries p WHERE p.RefId = r.RefId AND p.Reason = 'Purchase')
            """);
        await AssertNoneAsync(platform, "products bought twice by one user", "orderdb", """
            SELECT COUNT(*) FROM (
              SELECT UserId FROM Orders WHERE Status IN ('Paid', 'Completed') GROUP BY UserId, ProductType, ProductId HAVING COUNT(*) > 1
            ) doubled
            """);
        await AssertNoneAsync(platform, "paid orders that name no payment", "orderdb",
            "SELECT COUNT(*) FROM Orders WHERE Status IN ('Paid', 'Completed') AND PaymentId IS NULL");
    }

    private static async Task AssertNoneAsync(CommerceFixture platform, string what, string database, string countSql)
    {
        var count = await ScalarAsync(platform, database, countSql);
        Assert.True(count == 0, $"{count} {what}");
    }

    /// <summary>The coins a user's wallet holds, the sum of the ledger and the number of entries by reason, from coin's database.</summary>
    public static async Task<long> LedgerCountAsync(CommerceFixture platform, Guid userId, string reason) =>
        await ScalarAsync(platform, "coindb", "SELECT COUNT(*) FROM LedgerEntries WHERE UserId = @user AND Reason = @reason",
            ("@user", userId.ToString()), ("@reason", reason));

    /// <summary>The first column of the first row <paramref name="sql"/> answers in one of the services' databases (0 when none).</summary>
    public static Task<long> ScalarAsync(CommerceFixture platform, string database, string sql, params (string Name, object Value)[] parameters) =>
        RunAsync(platform, database, sql, parameters,
            async command => Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Changes rows behind a service's back, as a bug or a careless operator would: the number of rows changed.</summary>
    public static Task<int> ExecuteAsync(CommerceFixture platform, string database, string sql, params (string Name, object Value)[] parameters) =>
        RunAsync(platform, database, sql, parameters, command => command.ExecuteNonQueryAsync());

    private static async Task<T> RunAsync<T>(CommerceFixture platform, string database, string sql, (string Name, object Value)[] parameters,
        Func<MySqlCommand, Task<T>> run)
    {
        await using var connection = new MySqlConnection(await platform.ConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await run(command);
    }
}
