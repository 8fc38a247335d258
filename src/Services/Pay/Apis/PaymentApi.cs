using System.Security.Claims;
using System.Text.Json;
using Dedao.Pay.Clients;
using Dedao.Pay.Data;
using Dedao.Pay.Sandbox;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dedao.Pay.Apis;

public static class PaymentApi
{
    public static IEndpointRouteBuilder MapPaymentApi(this IEndpointRouteBuilder app)
    {
        // Every route needs a user: the fallback policy of AddDefaultAuthentication applies.
        var api = app.MapGroup("/api/v1/payments");

        api.MapGet("/{id:long}", GetPayment);
        api.MapPost("/", CreatePayment).RequireIdempotencyKey<PaymentRequest>();
        api.MapPost("/sandbox/{id:long}/confirm", ConfirmSandbox);
        // The provider signs instead of signing in.
        api.MapPost("/notify", Notify).AllowAnonymous();

        // Coin's call for a top-up. Outside /api, so no gateway route reaches it; the user's own token names the payer.
        app.MapPost("/internal/payments/topups", CreateTopupPayment);

        return app;
    }

    public static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult, ChallengeHttpResult>> GetPayment(
        PayDbContext db, ClaimsPrincipal user, long id, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        // Another user's payment answers exactly as a missing one does.
        var payment = await db.Payments.AsNoTracking()
            .Where(p => p.Id == id && p.UserId == userId)
            .Select(p => new PaymentResponse(p.Id, p.OrderId, p.TopupId, p.Channel, p.AmountFen, p.Status, p.CreatedAt, p.SettledAt))
            .SingleOrDefaultAsync(cancellationToken);

        return payment is null ? Problems.NotFound("The payment does not exist.") : TypedResults.Ok(payment);
    }

    public static async Task<Results<Ok<PaymentCreated>, Created<PaymentCreated>, ValidationProblem, ProblemHttpResult, ChallengeHttpResult>> CreatePayment(
        PaymentRequest request, PayDbContext db, OrderClient orders, CoinClient coins, ClaimsPrincipal user, TimeProvider time,
        ILogger<PaymentRequest> logger, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        // Both are required: a missing channel must not fall back to one of them, since one takes the coins at once.
        var errors = new Dictionary<string, string[]>();
        if (request.OrderId is not > 0)
        {
            errors["orderId"] = ["orderId must be an order's id."];
        }

        if (request.Channel is null)
        {
            errors["channel"] = ["channel must be \"coin\" or \"sandbox\"."];
        }

        if (errors.Count > 0 || request.OrderId is not { } orderId || request.Channel is not { } channel)
        {
            return Problems.Validation(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        OrderView? order;
        try
        {
            order = await orders.GetAsync(orderId, cancellationToken);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            return Unavailable("Orders cannot be read right now.");
        }

        if (order is null)
        {
            return Problems.NotFound("The order does not exist.");
        }

        if (!order.IsPayable(now))
        {
            // A 5xx gives the key back, and the payment may have gone through after all: sent again, it finds the order paid
            // by the very coin payment it asked for, and that payment is its answer.
            var paid = channel == PaymentChannel.Coin
                ? await db.Payments.AsNoTracking()
                    .SingleOrDefaultAsync(p => p.CoinOrderId == orderId && p.UserId == userId && p.Status == PaymentStatus.Succeeded,
                        cancellationToken)
                : null;
            return paid is null ? NotPayable() : TypedResults.Ok(new PaymentCreated(paid.Id, PaymentStatus.Succeeded));
        }

        if (channel == PaymentChannel.Sandbox)
        {
            var pending = NewPayment(userId, PaymentChannel.Sandbox, order.AmountFen, now, orderId: order.OrderId);
            db.Payments.Add(pending);
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Created($"/api/v1/payments/{pending.Id}", new PaymentCreated(pending.Id, pending.Status));
        }

        var payment = await CoinPaymentOfAsync(db, userId, order, now, cancellationToken);
        switch (payment.Status)
        {
            // The order has not heard of it yet.
            case PaymentStatus.Succeeded:
                return TypedResults.Ok(new PaymentCreated(payment.Id, PaymentStatus.Succeeded));
            case PaymentStatus.Refunded:
                return NotPayable();
        }

        // From here on the request's end does not stop the work: a client that hangs up, or a gateway that gives up on the
        // request (504), would otherwise leave coins taken under a payment that stays pending for good. Coin's client
        // and the database's command timeout bound what is left.
        CoinDebit debit;
        try
        {
            debit = await coins.DebitAsync(payment.Id, payment.AmountFen, CancellationToken.None);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            // Whether coin took the coins is unknown: the payment stays pending, and a retry debits under the same id.
            return Unavailable("Coins cannot be taken right now.");
        }

        switch (debit)
        {
            case CoinDebit.InsufficientBalance:
                await db.FailAsync(payment, "insufficient_balance", providerTransactionId: null, now, CancellationToken.None);
                return Problems.Coded(StatusCodes.Status402PaymentRequired, "insufficient_balance", "The wallet does not hold enough coins.");
            case CoinDebit.Conflict:
                // Someone called coin with this payment's id before pay did: nothing was paid, and the payment stays pending.
                logger.LogError("Coin holds a debit under payment {PaymentId} that is not this payment's {AmountFen} fen from user {UserId}",
                    payment.Id, payment.AmountFen, userId);
                return Problems.Coded(StatusCodes.Status409Conflict, "payment_conflict", "The coins for this payment cannot be taken.");
        }

        await db.SucceedAsync(payment, providerTransactionId: null, now, CancellationToken.None);
        return TypedResults.Ok(new PaymentCreated(payment.Id, PaymentStatus.Succeeded));
    }

    /// <summary>The order's one coin payment: made now, or the one an earlier attempt made, whose debit is then retried.</summary>
    private static async Task<Payment> CoinPaymentOfAsync(PayDbContext db, Guid userId, OrderView order, DateTime now,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var existing = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.CoinOrderId == order.OrderId, cancellationToken);
            if (existing is not null)
            {
                return existing;
            }

            var payment = NewPayment(userId, PaymentChannel.Coin, order.AmountFen, now, orderId: order.OrderId);
            payment.CoinOrderId = order.OrderId;
            db.Payments.Add(payment);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return payment;
            }
            catch (DbUpdateException e) when (IsDuplicate(e))
            {
                // A concurrent request made it first: use theirs.
                db.ChangeTracker.Clear();
            }
        }
    }

    public static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult, ChallengeHttpResult>> ConfirmSandbox(
        long id, ConfirmRequest request, PayDbContext db, SandboxClient sandbox, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        if (request.Result is not ("success" or "fail"))
        {
            return Problems.Validation(new() { ["result"] = ["result must be \"success\" or \"fail\"."] });
        }

        var payment = await db.Payments.AsNoTracking()
            .SingleOrDefaultAsync(p => p.Id == id && p.UserId == userId && p.Channel == PaymentChannel.Sandbox, cancellationToken);
        if (payment is null)
        {
            return Problems.NotFound("The payment does not exist.");
        }

        // Passed on whatever the payment's state: the provider decides, and its notice is what settles the payment, once.
        try
        {
            await sandbox.ConfirmAsync(payment.Id, payment.AmountFen, request.Result, cancellationToken);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            return Unavailable("The payment provider cannot be reached right now.");
        }

        return TypedResults.Accepted($"/api/v1/payments/{payment.Id}");
    }

    public static async Task<Results<Ok<NoticeAcknowledged>, ProblemHttpResult>> Notify(
        HttpContext http, PayDbContext db, IOptions<SandboxOptions> options, IOptions<JsonOptions> json, TimeProvider time,
        ILogger<SandboxNotice> logger, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, cancellationToken);
        var signature = http.Request.Headers[SandboxNotice.SignatureHeader].ToString();
        if (!SandboxNotice.IsSignedBy(options.Value.Secret, body.GetBuffer().AsSpan(0, (int)body.Length), signature))
        {
            logger.LogWarning("Refused a payment notice with a bad signature");
            return Problems.Coded(StatusCodes.Status401Unauthorized, "invalid_signature", "The notice's signature is not valid.");
        }

        SandboxNotice? notice;
        try
        {
            notice = JsonSerializer.Deserialize<SandboxNotice>(body.GetBuffer().AsSpan(0, (int)body.Length), json.Value.SerializerOptions);
        }
        catch (JsonException)
        {
            notice = null;
        }

        if (notice is not { Result: "success" or "fail" })
        {
            return Problems.Coded(StatusCodes.Status400BadRequest, "validation_failed", "The notice is not one this endpoint understands.");
        }

        var payment = await db.Payments.AsNoTracking()
            .SingleOrDefaultAsync(p => p.Id == notice.PaymentId && p.Channel == PaymentChannel.Sandbox, cancellationToken);
        if (payment is null)
        {
            logger.LogWarning("Refused a payment notice for unknown payment {PaymentId}", notice.PaymentId);
            return Problems.NotFound("The payment does not exist.");
        }

        if (notice.AmountFen != payment.AmountFen)
        {
            logger.LogError("Refused a payment notice for payment {PaymentId}: amount {NoticeAmountFen} fen, the payment is {AmountFen} fen",
                payment.Id, notice.AmountFen, payment.AmountFen);
            return Problems.Coded(StatusCodes.Status400BadRequest, "amount_mismatch", "The notice's amount is not the payment's.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var changed = notice.Result == "success"
            ? await db.SucceedAsync(payment, notice.TransactionId, now, cancellationToken)
            : await db.FailAsync(payment, "declined", notice.TransactionId, now, cancellationToken);
        logger.LogInformation("Payment notice {TransactionId} for payment {PaymentId}: {Result}{Repeat}",
            notice.TransactionId, payment.Id, notice.Result, changed ? "" : " (no change)");
        return TypedResults.Ok(new NoticeAcknowledged(payment.Id));
    }

    /// <summary>
    /// Coin's call when a reader tops up: the top-up's one payment, made now or by an earlier try. A payment held for the
    /// top-up with another reader or amount is a conflict, not an answer: crediting the top-up's coins for it would pay
    /// them for another sum.
    /// </summary>
    public static async Task<Results<Ok<TopupPaymentResponse>, ValidationProblem, ProblemHttpResult, ChallengeHttpResult>> CreateTopupPayment(
        TopupPaymentRequest request, PayDbContext db, ClaimsPrincipal user, TimeProvider time, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        if (request.TopupId <= 0 || request.AmountFen <= 0)
        {
            return Problems.Validation(new() { ["amountFen"] = ["A top-up and a positive amount are required."] });
        }

        while (true)
        {
            var existing = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.TopupId == request.TopupId, cancellationToken);
            if (existing is not null)
            {
                return existing.UserId == userId && existing.AmountFen == request.AmountFen
                    ? TypedResults.Ok(new TopupPaymentResponse(existing.Id))
                    : Problems.Coded(StatusCodes.Status409Conflict, "topup_conflict", "The top-up has a payment for another reader or amount.");
            }

            var payment = NewPayment(userId, PaymentChannel.Sandbox, request.AmountFen, time.GetUtcNow().UtcDateTime, topupId: request.TopupId);
            db.Payments.Add(payment);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return TypedResults.Ok(new TopupPaymentResponse(payment.Id));
            }
            catch (DbUpdateException e) when (IsDuplicate(e))
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private static Payment NewPayment(Guid userId, PaymentChannel channel, long amountFen, DateTime now, long? orderId = null,
        long? topupId = null) => new()
    {
        UserId = userId, Channel = channel, AmountFen = amountFen, Status = PaymentStatus.Pending, CreatedAt = now,
        OrderId = orderId, TopupId = topupId,
    };

    private static ProblemHttpResult NotPayable() =>
        Problems.Coded(StatusCodes.Status409Conflict, "order_not_payable", "The order is paid, cancelled or expired.");

    private static ProblemHttpResult Unavailable(string title) =>
        Problems.Coded(StatusCodes.Status503ServiceUnavailable, "service_unavailable", title);

    private static bool IsUnavailable(Exception e) => e is HttpRequestException or TimeoutException or Polly.ExecutionRejectedException;

    private static bool IsDuplicate(DbUpdateException e) =>
        e.InnerException is MySqlException { ErrorCode: MySqlErrorCode.DuplicateKeyEntry };
}

public sealed record PaymentRequest(long? OrderId, PaymentChannel? Channel);

public sealed record PaymentCreated(long PaymentId, PaymentStatus Status);

public sealed record PaymentResponse(
    long PaymentId, long? OrderId, long? TopupId, PaymentChannel Channel, long AmountFen, PaymentStatus Status, DateTime CreatedAt,
    DateTime? SettledAt);

public sealed record ConfirmRequest(string? Result);

public sealed record NoticeAcknowledged(long PaymentId);

public sealed record TopupPaymentRequest(long TopupId, long AmountFen);

public sealed record TopupPaymentResponse(long PaymentId);
