using System.Globalization;
using System.Linq.Expressions;
using System.Security.Claims;
using Dedao.Order.Clients;
using Dedao.Order.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Dedao.Order.Apis;

public static class OrderApi
{
    /// <summary>Inside this service's request budget and the gateway's 2 s, with room for the read after the wait.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(1);

    // The reads every purchase makes, compiled once: otherwise EF walks and hashes the query's expression tree on each
    // call to find its cached plan, about a quarter of the CPU of a GET of an order.
    private static readonly Func<OrderDbContext, long, Guid, CancellationToken, Task<OrderResponse?>> ReadOwnOrder =
        EF.CompileAsyncQuery((OrderDbContext db, long id, Guid userId, CancellationToken cancellationToken) => db.Orders.AsNoTracking()
            .Where(o => o.Id == id && o.UserId == userId)
            .Select(OrderResponse.FromOrder)
            .SingleOrDefault());

    private static readonly Func<OrderDbContext, Guid, ProductType, long, CancellationToken, Task<bool>> IsOwned =
        EF.CompileAsyncQuery((OrderDbContext db, Guid userId, ProductType productType, long productId, CancellationToken cancellationToken) =>
            db.Orders.Any(o => o.UserId == userId && o.ProductType == productType && o.ProductId == productId
                && (o.Status == OrderStatus.Paid || o.Status == OrderStatus.Completed)));

    public static IEndpointRouteBuilder MapOrderApi(this IEndpointRouteBuilder app)
    {
        // Every route needs a user: the fallback policy of AddDefaultAuthentication applies.
        var api = app.MapGroup("/api/v1/orders");

        api.MapGet("/", ListOrders);
        api.MapGet("/{id:long}", GetOrder);
        api.MapPost("/", CreateOrder).RequireIdempotencyKey<OrderRequest>();
        api.MapPost("/{id:long}/cancel", CancelOrder);

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

    /// <summary>
    /// With <c>If-None-Match</c> naming the status the client saw and <c>Prefer: wait=N</c> (RFC 7240), the answer waits
    /// until the order changes or the wait ends (304): one request instead of a client's polls while a payment settles.
    /// </summary>
    public static async Task<Results<Ok<OrderResponse>, StatusCodeHttpResult, ProblemHttpResult, ChallengeHttpResult>> GetOrder(
        OrderDbContext db, OrderChanges changes, ClaimsPrincipal user, long id, HttpContext http, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        var seen = http.Request.GetTypedHeaders().IfNoneMatch;
        var wait = seen.Count == 0 ? TimeSpan.Zero : PreferredWait(http.Request);
        using var watch = wait > TimeSpan.Zero ? changes.Watch(id) : null;
        // Another user's order answers exactly as a missing one does.
        var order = await ReadOwnOrder(db, id, userId, cancellationToken);
        if (watch is not null && order is not null && IsSeen(order))
        {
            http.Response.Headers["Preference-Applied"] = $"wait={(int)wait.TotalSeconds}";
            await watch.Changed.WaitAsync(wait, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            order = await ReadOwnOrder(db, id, userId, cancellationToken);
        }

        if (order is null)
        {
            return Problems.NotFound("The order does not exist.");
        }

        http.Response.Headers.ETag = ETagOf(order).ToString();
        return IsSeen(order) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(order);

        bool IsSeen(OrderResponse current) => seen.Any(tag => tag.Compare(ETagOf(current), useStrongComparison: false) || tag.Equals(EntityTagHeaderValue.Any));
    }

    // Only the status changes once an order is made (paidAt with it), so it names the representation.
    private static EntityTagHeaderValue ETagOf(OrderResponse order) => new($"\"{order.Status.ToString().ToLowerInvariant()}\"");

    /// <summary><c>wait=N</c> seconds, honoured up to <see cref="MaxWait"/>; anything else in <c>Prefer</c> is not for us.</summary>
    private static TimeSpan PreferredWait(HttpRequest request) =>
        NameValueHeaderValue.TryParseList(request.Headers["Prefer"], out var preferences)
        && preferences.FirstOrDefault(p => p.Name.Equals("wait", StringComparison.OrdinalIgnoreCase)) is { } wait
        && int.TryParse(wait.Value.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(Math.Min(seconds, MaxWait.TotalSeconds))
            : TimeSpan.Zero;

    public static async Task<Results<Created<OrderResponse>, ValidationProblem, ProblemHttpResult, ChallengeHttpResult>> CreateOrder(
        OrderRequest request, OrderDbContext db, CatalogClient catalog, ClaimsPrincipal user, TimeProvider time,
        IOptions<OrderOptions> options, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        if (request.ProductType is not { } productType || request.ProductId <= 0)
        {
            return Problems.Validation(new()
            {
                ["productType"] = ["productType must be \"column\" or \"course\", and productId a product's id."],
            });
        }

        // What this service knows of completed purchases; a payment racing this order is settled by refunding it.
        if (await IsOwned(db, userId, productType, request.ProductId, cancellationToken))
        {
            return Problems.Coded(StatusCodes.Status409Conflict, "already_owned", "This product is already bought.");
        }

        CatalogPrice? price;
        try
        {
            price = await catalog.GetPriceAsync(productType, request.ProductId, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or Polly.ExecutionRejectedException)
        {
            return Problems.Coded(StatusCodes.Status503ServiceUnavailable, "service_unavailable", "Prices cannot be read right now.");
        }

        if (price is null)
        {
            return Problems.Coded(StatusCodes.Status400BadRequest, "unknown_product", "There is no such product.");
        }

        if (price.IsFree || price.PriceFen <= 0)
        {
            return Problems.Coded(StatusCodes.Status400BadRequest, "free_product", "A free product needs no order.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var order = new Data.Order
        {
            UserId = userId, ProductType = productType, ProductId = request.ProductId, AmountFen = price.PriceFen,
            Status = OrderStatus.Pending, CreatedAt = now, ExpiresAt = now + options.Value.PaymentTimeout,
        };
        await db.CreateAsync(order, cancellationToken);
        return TypedResults.Created($"/api/v1/orders/{order.Id}", OrderResponse.Of(order));
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult, ChallengeHttpResult>> CancelOrder(
        OrderDbContext db, OrderChanges changes, ClaimsPrincipal user, long id, TimeProvider time, CancellationToken cancellationToken)
    {
        if (user.GetUserId() is not { } userId)
        {
            return TypedResults.Challenge();
        }

        if (!await db.Orders.AnyAsync(o => o.Id == id && o.UserId == userId, cancellationToken))
        {
            return Problems.NotFound("The order does not exist.");
        }

        if (!await db.CancelAsync(id, userId, "user", time.GetUtcNow().UtcDateTime, cancellationToken))
        {
            return Problems.Coded(StatusCodes.Status409Conflict, "order_not_pending", "Only a pending order can be cancelled.");
        }

        changes.Changed(id);
        return TypedResults.Ok(await db.Orders.AsNoTracking().Where(o => o.Id == id).Select(OrderResponse.FromOrder).SingleAsync(cancellationToken));
    }
}

public sealed record OrderRequest(ProductType? ProductType, long ProductId);

public sealed record OrderResponse(
    long OrderId, ProductType ProductType, long ProductId, long AmountFen, OrderStatus Status,
    DateTime CreatedAt, DateTime? PaidAt, DateTime ExpiresAt)
{
    // An expression, not a method, so EF reads only these columns.
    internal static readonly Expression<Func<Data.Order, OrderResponse>> FromOrder = o =>
        new OrderResponse(o.Id, o.ProductType, o.ProductId, o.AmountFen, o.Status, o.CreatedAt, o.PaidAt, o.ExpiresAt);

    /// <summary>The same, for an order in hand: compiled once, since compiling costs more than the request it serves.</summary>
    internal static readonly Func<Data.Order, OrderResponse> Of = FromOrder.Compile();
}
