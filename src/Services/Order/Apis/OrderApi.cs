using System.Linq.Expressions;
using System.Security.Claims;
using Dedao.Order.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Order.Apis;

public static class OrderApi
{
    public static IEndpointRouteBuilder MapOrderApi(this IEndpointRouteBuilder app)
    {
        // Every route needs a user: the fallback policy of AddDefaultAuthentication applies.
        var api = app.MapGroup("/api/v1/orders");

        api.MapGet("/", ListOrders);
        api.MapGet("/{id:long}", GetOrder);

        return app;
    }

    public static async Task<Results<Ok<Page<OrderResponse>>, ValidationProblem, ChallengeHttpResult>> ListOrders(
        OrderDbContext db, ClaimsPrincipal user, string? cursor, string? limit, CancellationToken cancellationToken)
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

        var orders = db.Orders.AsNoTracking().Where(o => o.UserId == userId);
        if (page.After is { } after)
        {
            orders = orders.Where(o => o.Id < after);
        }

        var rows = await orders
            .OrderByDescending(o => o.Id)
            .Take(page.Limit + 1)
            .Select(OrderResponse.FromOrder)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(page.ToPage(rows, o => o.OrderId));
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult, ChallengeHttpResult>> GetOrder(
        OrderDbContext db, ClaimsPrincipal user, long id, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        // Another user's order answers exactly as a missing one does.
        var order = await db.Orders.AsNoTracking()
            .Where(o => o.Id == id && o.UserId == userId)
            .Select(OrderResponse.FromOrder)
            .SingleOrDefaultAsync(cancellationToken);

        return order is null ? Problems.NotFound("The order does not exist.") : TypedResults.Ok(order);
    }
}

public sealed record OrderResponse(
    long OrderId, ProductType ProductType, long ProductId, long AmountFen, OrderStatus Status,
    DateTime CreatedAt, DateTime? PaidAt, DateTime ExpiresAt)
{
    // An expression, not a method, so EF reads only these columns.
    internal static readonly Expression<Func<Data.Order, OrderResponse>> FromOrder = o =>
        new OrderResponse(o.Id, o.ProductType, o.ProductId, o.AmountFen, o.Status, o.CreatedAt, o.PaidAt, o.ExpiresAt);
}
