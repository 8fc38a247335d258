using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Dedao.Gateway.RateLimiting;

/// <summary>
/// The outcome of the gateway limiter for the current request, also readable by later middleware as an
/// <c>HttpContext</c> feature. ASP.NET Core's rate limiting middleware keeps an admitted request's lease to itself
/// (.NET 10 has no lease feature; dotnet/aspnetcore#45658), so our limiter hands the lease to the request it is
/// running for through this feature, which <see cref="RateLimitHeadersMiddleware"/> sets up around the request.
/// </summary>
public sealed class GatewayRateLimitFeature
{
    private static readonly AsyncLocal<GatewayRateLimitFeature?> Current = new();

    public long? Limit { get; private set; }

    public long? Remaining { get; private set; }

    public TimeSpan? RetryAfter { get; private set; }

    internal static GatewayRateLimitFeature? Ambient
    {
        get => Current.Value;
        set => Current.Value = value;
    }

    /// <summary>Records a lease of ours for the request in flight, if it came through <see cref="RateLimitHeadersMiddleware"/>.</summary>
    internal static void Publish(RateLimitLease lease) => Current.Value?.Record(lease);

    internal void Record(RateLimitLease lease)
    {
        if (lease.TryGetMetadata(GatewayRateLimitMetadata.Limit, out var limit)
            && lease.TryGetMetadata(GatewayRateLimitMetadata.Remaining, out var remaining))
        {
            Limit = limit;
            Remaining = remaining;
        }

        RetryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null;
    }

    internal void WriteHeaders(HttpResponse response)
    {
        if (Limit is { } limit && Remaining is { } remaining)
        {
            response.Headers[RateLimitHeaders.Limit] = limit.ToString(CultureInfo.InvariantCulture);
            response.Headers[RateLimitHeaders.Remaining] = Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture);
        }
    }
}

public static class RateLimitHeaders
{
    public const string Limit = "X-RateLimit-Limit";
    public const string Remaining = "X-RateLimit-Remaining";
}

/// <summary>
/// Gives each request a <see cref="GatewayRateLimitFeature"/> for the limiter to fill, and writes X-RateLimit-Limit and
/// X-RateLimit-Remaining when the response starts, whatever answers it (the backend through YARP, or a 429).
/// </summary>
internal sealed class RateLimitHeadersMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var feature = new GatewayRateLimitFeature();
        context.Features.Set(feature);
        context.Response.OnStarting(static state =>
        {
            var (response, feature) = ((HttpResponse, GatewayRateLimitFeature))state;
            feature.WriteHeaders(response);
            return Task.CompletedTask;
        }, (context.Response, feature));

        // Set in this async method, so it flows into the limiter's acquire below and is gone once the request is.
        GatewayRateLimitFeature.Ambient = feature;
        try
        {
            await next(context);
        }
        finally
        {
            GatewayRateLimitFeature.Ambient = null;
        }
    }
}

/// <summary>api.md's 429: problem+json with code <c>too_many_requests</c>, Retry-After from the bucket's refill.</summary>
internal static class RateLimitRejection
{
    public const string Code = "too_many_requests";

    public static async ValueTask WriteAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var response = context.Response;
        var feature = context.Features.Get<GatewayRateLimitFeature>() ?? new GatewayRateLimitFeature();
        feature.Record(rejected.Lease);
        feature.WriteHeaders(response);

        // A lease without a refill time (not ours) still gets a Retry-After, as api.md promises.
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1L, (long)Math.Ceiling(retryAfter.TotalSeconds));
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);

        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests.",
            Detail = $"The rate limit of this route is exceeded; retry after {seconds} s.",
            Extensions = { ["code"] = Code },
        };
        if (context.RequestServices.GetService<IProblemDetailsService>() is { } problems
            && await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            return;
        }

        await response.WriteAsJsonAsync(problem, JsonSerializerOptions.Web, "application/problem+json", cancellationToken);
    }
}
