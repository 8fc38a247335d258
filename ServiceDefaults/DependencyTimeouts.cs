using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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
    public static readonly TimeSpan RequestBudget = TimeSpan.FromSeconds(1.5);

    /// <summary>Overrides <see cref="RequestBudget"/>, for a service whose callers wait longer than the gateway does.</summary>
    public const string RequestBudgetKey = "Dedao:RequestBudget";

    /// <summary>Redis connect and command timeouts; <c>Aspire:StackExchange:Redis:ConfigurationOptions</c> still wins.</summary>
    public const int RedisTimeoutMilliseconds = 1000;

    /// <summary>MySQL's connect timeout in seconds (MySqlConnector's unit), unless the connection string names one.</summary>
    public const int MySqlConnectTimeoutSeconds = 1;

    public static IServiceCollection AddDependencyTimeouts(this IServiceCollection services, TimeSpan? budget = null)
    {
        // The request's own token (RequestAborted) is what EF, MySqlConnector and HttpClient calls are given.
        services.AddRequestTimeouts(options => options.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = budget ?? RequestBudget,
            TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        });
        // Registered after the problem details' filter, so its middleware runs inside theirs.
        services.AddTransient<IStartupFilter, RequestBudgetStartupFilter>();
        // Runs before Aspire binds its configuration section, which may override it.
        services.ConfigureAll<ConfigurationOptions>(redis =>
        {
            redis.ConnectTimeout = RedisTimeoutMilliseconds;
            redis.SyncTimeout = RedisTimeoutMilliseconds;
            redis.AsyncTimeout = RedisTimeoutMilliseconds;
            // Timeouts are noticed on the heartbeat (1 s by default), which would let a call run for up to 2 s.
            redis.HeartbeatInterval = TimeSpan.FromMilliseconds(250);
            // Keep reconnecting in the background instead of failing the start when Redis is down.
            redis.AbortOnConnectFail = false;
        });
        return services;
    }

    /// <summary>
    /// Just inside the timeout middleware: when the budget ran out before anything was written, the answer is a clean 503 (problem+json from the status code
    /// pages). The timeout middleware alone does not get there in Development: the exception page inside it catches the
    /// cancelled work first and answers 499, "client gone", with whatever the endpoint had set.
    /// </summary>
    public static async Task AnswerSpentBudgetAsync(HttpContext context, RequestDelegate next)
    {
        await next(context);
        // Only the 499: an answer already written (a 503 from the exception handler as the budget ran out) stays as it is.
        if (context.Response.StatusCode == StatusCodes.Status499ClientClosedRequest && !context.Response.HasStarted
            && context.Features.Get<IHttpRequestTimeoutFeature>() is { RequestTimeoutToken.IsCancellationRequested: true })
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }
    }

    private sealed class RequestBudgetStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseRequestTimeouts();
            app.Use(AnswerSpentBudgetAsync);
            next(app);
        };
    }
}
