using System.Security.Claims;
using Dedao.Pay.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Pay.Apis;

public static class PaymentApi
{
    public static IEndpointRouteBuilder MapPaymentApi(this IEndpointRouteBuilder app)
    {
        // Every route needs a user: the fallback policy of AddDefaultAuthentication applies.
        var api = app.MapGroup("/api/v1/payments");

        api.MapGet("/{id:long}", GetPayment);

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
            .Select(p => new PaymentResponse(p.Id, p.OrderId, p.Channel, p.AmountFen, p.Status, p.CreatedAt))
            .SingleOrDefaultAsync(cancellationToken);

        return payment is null ? Problems.NotFound("The payment does not exist.") : TypedResults.Ok(payment);
    }
}

public sealed record PaymentResponse(
    long PaymentId, long OrderId, PaymentChannel Channel, long AmountFen, PaymentStatus Status, DateTime CreatedAt);
