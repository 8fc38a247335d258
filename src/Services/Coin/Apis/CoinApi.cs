using System.Security.Claims;
using Dedao.Coin.Clients;
using Dedao.Coin.Data;
using Dedao.Contracts;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Coin.Apis;

public static class CoinApi
{
    private const long MaxTopupCoins = 100_000;

    public static IEndpointRouteBuilder MapCoinApi(this IEndpointRouteBuilder app)
    {
        // Every route needs a user: the fallback policy of AddDefaultAuthentication applies.
        var api = app.MapGroup("/api/v1/coins");

        api.MapGet("/wallet", GetWallet);
        api.MapGet("/ledger", ListLedger);
        api.MapPost("/topups", CreateTopup).RequireIdempotencyKey<TopupRequest>();
        api.MapGet("/topups/{id:long}", GetTopup);

        // Pay's call for a coin payment. Outside /api, so no gateway route reaches it; the user's own token names the wallet.
        app.MapPost("/internal/coins/debits", Debit);

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

    public static async Task<Results<Created<TopupResponse>, ValidationProblem, ProblemHttpResult, ChallengeHttpResult>> CreateTopup(
        TopupRequest request, CoinDbContext db, PayClient pay, ClaimsPrincipal user, TimeProvider time, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        if (request.Coins is not (>= 1 and <= MaxTopupCoins))
        {
            return Problems.Validation(new() { ["coins"] = [$"coins must be from 1 to {MaxTopupCoins}."] });
        }

        var topup = new Topup
        {
            UserId = userId, Coins = request.Coins, AmountFen = request.Coins * CoinRate.FenPerCoin, Status = TopupStatus.Pending,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Topups.Add(topup);
        await db.SaveChangesAsync(cancellationToken);

        try
        {
            topup.PaymentId = await pay.CreateTopupPaymentAsync(topup.Id, topup.AmountFen, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or Polly.ExecutionRejectedException)
        {
            // The top-up stays pending without a payment: nothing can pay it, and nothing is credited.
            return Problems.Coded(StatusCodes.Status503ServiceUnavailable, "service_unavailable", "Payments cannot be opened right now.");
        }

        // Kept even when the caller has hung up by now: pay holds the payment, and a top-up should name it.
        await db.SaveChangesAsync(CancellationToken.None);
        return TypedResults.Created($"/api/v1/coins/topups/{topup.Id}",
            new TopupResponse(topup.Id, topup.PaymentId.Value, topup.AmountFen, topup.Coins, topup.Status));
    }

    public static async Task<Results<Ok<TopupResponse>, ProblemHttpResult, ChallengeHttpResult>> GetTopup(
        CoinDbContext db, ClaimsPrincipal user, long id, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        var topup = await db.Topups.AsNoTracking()
            .Where(t => t.Id == id && t.UserId == userId && t.PaymentId != null)
            .Select(t => new TopupResponse(t.Id, t.PaymentId!.Value, t.AmountFen, t.Coins, t.Status))
            .SingleOrDefaultAsync(cancellationToken);
        return topup is null ? Problems.NotFound("The top-up does not exist.") : TypedResults.Ok(topup);
    }

    public static async Task<Results<Ok<DebitResponse>, ValidationProblem, ProblemHttpResult, ChallengeHttpResult>> Debit(
        DebitRequest request, CoinDbContext db, ClaimsPrincipal user, TimeProvider time, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        if (request.PaymentId <= 0 || request.AmountFen <= 0)
        {
            return Problems.Validation(new() { ["amountFen"] = ["A payment and a positive amount are required."] });
        }

        var coins = CoinRate.CoinsFor(request.AmountFen);
        var outcome = await db.DebitAsync(userId, coins, request.PaymentId, time.GetUtcNow().UtcDateTime, cancellationToken);
        return outcome switch
        {
            DebitOutcome.InsufficientBalance =>
                Problems.Coded(StatusCodes.Status402PaymentRequired, "insufficient_balance", "The wallet does not hold enough coins."),
            DebitOutcome.Conflict =>
                Problems.Coded(StatusCodes.Status409Conflict, "debit_conflict", "This payment was debited before for another wallet or amount."),
            _ => TypedResults.Ok(new DebitResponse(request.PaymentId, coins, outcome == DebitOutcome.AlreadyDebited)),
        };
    }
}

public sealed record WalletResponse(long Balance);

public sealed record LedgerEntryResponse(long Id, long Delta, LedgerReason Reason, string RefId, long BalanceAfter, DateTime CreatedAt);

public sealed record TopupRequest(long Coins);

public sealed record TopupResponse(long TopupId, long PaymentId, long AmountFen, long Coins, TopupStatus Status);

public sealed record DebitRequest(long PaymentId, long AmountFen);

public sealed record DebitResponse(long PaymentId, long Coins, bool Repeated);
