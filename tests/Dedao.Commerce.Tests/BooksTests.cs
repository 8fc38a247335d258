namespace Dedao.Commerce.Tests;

[Collection(Commerce.Name)]
public sealed class BooksTests(CommerceFixture platform)
{
    private const string CheckBooks = "check-books";

    [Fact]
    public async Task The_dashboard_s_books_check_balances_after_purchases_and_names_the_wallet_and_entries_that_do_not()
    {
        var shopper = await Shopper.SignUpAsync(platform);
        await shopper.TopUpAsync(100);
        var orderId = await shopper.CreateOrderAsync("column", Catalog.PaidColumn);
        using (var payment = await shopper.PayAsync(orderId, "coin"))
        {
            payment.EnsureSuccessStatusCode();
        }

        var balanced = await platform.App.ResourceCommands.ExecuteCommandAsync("coin", CheckBooks);
        Assert.True(balanced.Success, balanced.Message);
        Assert.StartsWith("The books balance: ", balanced.Message);

        var user = shopper.UserId.ToString();
        var firstEntry = await Invariants.ScalarAsync(platform, "coindb", "SELECT MIN(Id) FROM LedgerEntries WHERE UserId = @user", ("@user", user));
        // A coin too many in the wallet, and a first entry whose balance is off by one, which also breaks the entry after it.
        await ChangeOneAsync("UPDATE Wallets SET Balance = Balance + 1 WHERE UserId = @user", ("@user", user));
        await ChangeOneAsync("UPDATE LedgerEntries SET BalanceAfter = BalanceAfter + 1 WHERE Id = @id", ("@id", firstEntry));
        try
        {
            var unbalanced = await platform.App.ResourceCommands.ExecuteCommandAsync("coin", CheckBooks);

            Assert.False(unbalanced.Success);
            Assert.Contains($"wallets not the sum of their ledger: 1 ({user})", unbalanced.Message);
            Assert.Contains($"ledger entries whose balance does not follow the one before: 2 ({firstEntry}, ", unbalanced.Message);
            Assert.DoesNotContain("top-ups", unbalanced.Message);
        }
        finally
        {
            await ChangeOneAsync("UPDATE Wallets SET Balance = Balance - 1 WHERE UserId = @user", ("@user", user));
            await ChangeOneAsync("UPDATE LedgerEntries SET BalanceAfter = BalanceAfter - 1 WHERE Id = @id", ("@id", firstEntry));
        }

        var mended = await platform.App.ResourceCommands.ExecuteCommandAsync("coin", CheckBooks);
        Assert.True(mended.Success, mended.Message);
    }

    private async Task ChangeOneAsync(string sql, params (string Name, object Value)[] parameters) =>
        Assert.Equal(1, await Invariants.ExecuteAsync(platform, "coindb", sql, parameters));
}
