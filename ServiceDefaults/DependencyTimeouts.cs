using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The gateway gives a service 2 s. A service answers within that itself: every request is cancelled after
/// <see cref="RequestBudget"/> (503 when the work gave up on it) and Redis calls give up sooner still, so a frozen or
/// stopped server is a 503 with Retry-After, not a hung request the gateway abandons while the work goes on.
/// </summary>
public static class DependencyTimeouts
{
    public static readonly TimeSpan RequestBudget = TimeSpan.FromSeconds(1.8);

    /// <summary>Redis connect and command timeouts; <c>Aspire:StackExchange:Redis:ConfigurationOptions</c> still wins.</summary>
    public const int RedisTimeoutMilliseconds = 1000;

    /// <summary>MySQL's connect timeout in seconds (MySqlConnector's unit), unless the connection string names one.</summary>
    public const int MySqlConnectTimeoutSeconds = 1;

    public static IServiceCollection AddDependencyTimeouts(this IServiceCollection services)
    {
        // The request's own token (RequestAborted) is what EF, MySqlConnector and HttpClient calls are given.
        services.AddRequestTimeouts(options => options.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = RequestBudget,
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        });
        // Runs before Aspire binds its configuration section, which may override it.
        services.ConfigureAll<ConfigurationOptions>(redis =>
        {
            redis.ConnectTimeout = RedisTimeoutMilliseconds;
            redis.SyncTimeout = RedisTimeoutMilliseconds;
            redis.AsyncTimeout = RedisTimeoutMilliseconds;
            // Keep reconnecting in the background instead of failing the start when Redis is down.
            redis.AbortOnConnectFail = false;
        });
        return services;
    }

    /// <summary>
    /// Development's exception page, inside the timeout middleware, answers the cancelled work as 499 (client gone)
    /// before the timeout middleware can make it a 503; the client is still there, so it is the budget that ran out.
    /// </summary>
    public static async Task AnswerSpentBudgetAsync(HttpContext context, RequestDelegate next)
    {
        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status499ClientClosedRequest && !context.Response.HasStarted
            && !context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
    }
}
