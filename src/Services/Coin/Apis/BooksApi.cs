using System.Data;
using Dedao.Coin.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Coin.Apis;

/// <summary>
/// The audit an operator runs from the dashboard (coin's <b>Check the books</b>): each wallet against the sum of its ledger,
/// each entry's balance against the one before it, each credited top-up against its one entry, each refund against its
/// purchase. The code keeps these true by construction (one transaction per change, one entry per cause, no balance below
/// zero); this reads, from one snapshot of the database, that it did.
/// </summary>
public static partial class BooksApi
{
    private const int ExampleCount = 20;

    // It reads every wallet and entry: far past a request's budget on a large ledger.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private const string UnbalancedWallets = """
        SELECT CAST(w.UserId AS CHAR) AS Id FROM Wallets w
        LEFT JOIN (SELECT UserId, SUM(Delta) AS Total FROM LedgerEntries GROUP BY UserId) l ON l.UserId = w.UserId
        WHERE w.Balance <> COALESCE(l.Total, 0)
        UNION ALL
        SELECT CAST(l.UserId AS CHAR) FROM (SELECT DISTINCT UserId FROM LedgerEntries) l
        LEFT JOIN Wallets w ON w.UserId = l.UserId WHERE w.UserId IS NULL
        """;

    // A user's entries are written in the order of the wallet's changes (each under the wallet's row lock), so ids order them.
    private const string BrokenEntries = """
        SELECT CAST(Id AS CHAR) AS Id FROM (
          SELECT Id, BalanceAfter, Delta, COALESCE(LAG(BalanceAfter) OVER (PARTITION BY UserId ORDER BY Id), 0) AS Previous FROM LedgerEntries
        ) e WHERE BalanceAfter <> Previous + Delta
        """;

    private const string UnmatchedTopups = """
        SELECT CONCAT('topup:', t.Id) AS Id FROM Topups t
        LEFT JOIN LedgerEntries e ON e.RefId = CONCAT('topup:', t.Id) AND e.Reason = 'Topup'
        WHERE t.Status = 'Credited' AND (e.Id IS NULL OR e.Delta <> t.Coins OR e.UserId <> t.UserId)
        UNION ALL
        SELECT e.RefId FROM LedgerEntries e
        WHERE e.Reason = 'Topup' AND NOT EXISTS (
          SELECT 1 FROM Topups t WHERE t.Id = CAST(SUBSTRING(e.RefId, 7) AS UNSIGNED) AND t.Status = 'Credited')
        """;

    private const string UnmatchedRefunds = """
        SELECT r.RefId AS Id FROM LedgerEntries r
        LEFT JOIN LedgerEntries p ON p.RefId = r.RefId AND p.Reason = 'Purchase'
        WHERE r.Reason = 'Refund' AND (p.Id IS NULL OR r.Delta <> -p.Delta OR r.UserId <> p.UserId)
        """;

    public static IEndpointRouteBuilder MapBooksApi(this IEndpointRouteBuilder app)
    {
        // Not routed by the gateway, and only a service's own token passes: the AppHost's command calls as coin.
        app.MapGet("/internal/books", CheckBooks).RequireAuthorization(ServiceIdentity.Policy).WithRequestTimeout(Patience);
        return app;
    }

    public static async Task<Ok<BooksReport>> CheckBooks(CoinDbContext db, ILogger<BooksReport> logger, CancellationToken cancellationToken)
    {
        db.Database.SetCommandTimeout(Patience);
        var report = await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            // One snapshot for every query (InnoDB's consistent read), so purchases meanwhile cannot pass for a gap between two.
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            return new BooksReport(
                await db.Wallets.LongCountAsync(ct),
                await db.Ledger.LongCountAsync(ct),
                await FindAsync(db, UnbalancedWallets, ct),
                await FindAsync(db, BrokenEntries, ct),
                await FindAsync(db, UnmatchedTopups, ct),
                await FindAsync(db, UnmatchedRefunds, ct));
        }, cancellationToken);

        if (!report.Balanced)
        {
            LogUnbalanced(logger, report.UnbalancedWallets.Count, report.BrokenEntries.Count, report.UnmatchedTopups.Count,
                report.UnmatchedRefunds.Count);
        }

        return TypedResults.Ok(report);
    }

    private static async Task<Discrepancy> FindAsync(CoinDbContext db, string query, CancellationToken cancellationToken)
    {
        // Ordered by length first, so that entry ids come in numeric order (9 before 10); user ids are all of one length.
        var found = await db.Database
            .SqlQueryRaw<Finding>("SELECT Id, COUNT(*) OVER () AS Total FROM (" + query + ") found ORDER BY LENGTH(Id), Id LIMIT " + ExampleCount)
            .ToListAsync(cancellationToken);
        return new Discrepancy(found.Count == 0 ? 0 : found[0].Total, [.. found.Select(f => f.Id)]);
    }

    [LoggerMessage(LogLevel.Warning,
        "The books do not balance: {Wallets} wallets not the sum of their ledger, {Entries} entries not following the one before, {Topups} top-ups and {Refunds} refunds without their match")]
    private static partial void LogUnbalanced(ILogger logger, long wallets, long entries, long topups, long refunds);

    private sealed class Finding
    {
        public string Id { get; set; } = "";

        public long Total { get; set; }
    }
}

/// <summary>What <see cref="BooksApi"/> read: the counts, and each kind of discrepancy with up to twenty examples.</summary>
public sealed record BooksReport(long Wallets, long Entries, Discrepancy UnbalancedWallets, Discrepancy BrokenEntries,
    Discrepancy UnmatchedTopups, Discrepancy UnmatchedRefunds)
{
    public bool Balanced => UnbalancedWallets.Count + BrokenEntries.Count + UnmatchedTopups.Count + UnmatchedRefunds.Count == 0;
}

/// <summary>How many of a kind, and which: user ids, entry ids, or the ledger's references (<c>topup:7</c>, <c>payment:9</c>).</summary>
public sealed record Discrepancy(long Count, IReadOnlyList<string> Examples);
