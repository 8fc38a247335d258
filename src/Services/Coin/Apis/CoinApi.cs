using System.Security.Claims;
using Dedao.Coin.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Coin.Apis;

public static class CoinApi
{
    public static IEndpointRouteBuilder MapCoinApi(this IEndpointRouteBuilder app)
    {
        // Every route needs a user: the fallback policy of AddDefaultAuthentication applies.
        var api = app.MapGroup("/api/v1/coins");

        api.MapGet("/wallet", GetWallet);
        api.MapGet("/ledger", ListLedger);

        return app;
    }

    public static async Task<Results<Ok<WalletResponse>, ChallengeHttpResult>> GetWallet(
        CoinDbContext db, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        // A wallet is created by the first top-up; until then the balance is simply zero.
        var balance = await db.Wallets.AsNoTracking()
            .Where(w => w.UserId == userId)
            .Select(w => (long?)w.Balance)
            .SingleOrDefaultAsync(cancellationToken);
        return TypedResults.Ok(new WalletResponse(balance ?? 0));
    }

    public static async Task<Results<Ok<Page<LedgerEntryResponse>>, ValidationProblem, ChallengeHttpResult>> ListLedger(
        CoinDbContext db, ClaimsPrincipal user, string? cursor, string? limit, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        var errors = new Dictionary<string, string[]>();
        var page = PageQuery.Parse(cursor, limit, errors, Cursors.Id);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var entries = db.Ledger.AsNoTracking().Where(e => e.UserId == userId);
        if (page.After is { } after)
        {
            entries = entries.Where(e => e.Id < after);
        }

        var rows = await entries
            .OrderByDescending(e => e.Id)
            .Take(page.Limit + 1)
            .Select(e => new LedgerEntryResponse(e.Id, e.Delta, e.Reason, e.RefId, e.BalanceAfter, e.CreatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(rows, e => e.Id));
    }
}

public sealed record WalletResponse(long Balance);

public sealed record LedgerEntryResponse(long Id, long Delta, LedgerReason Reason, string RefId, long BalanceAfter, DateTime CreatedAt);
