using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Every error a service answers is problem+json with a stable <c>code</c>: a lost database or Redis is a 503 with
/// Retry-After, any other unhandled exception a bare 500, and empty error responses (unknown route, 401 challenge,
/// 405) get a body. Nothing of an exception ever reaches the client.
/// </summary>
public static class ProblemDetailsDefaults
{
    private const string RetryAfterSeconds = "5";

    public static IServiceCollection AddDefaultProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", CodeOf(status));
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds;
            }

            if (status >= 500)
            {
                problem.Detail = null;
                problem.Extensions.Remove("exception");
            }
        });
        services.AddTransient<IStartupFilter, ProblemDetailsStartupFilter>();
        return services;
    }

    public static string CodeOf(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => "too_many_requests",
        503 => "service_unavailable",
        _ when status >= 500 => "internal_error",
        _ => "error",
    };

    private static bool IsDependencyFailure(Exception exception) => exception switch
    {
        DbException or RedisException or TimeoutException or RabbitMQ.Client.Exceptions.BrokerUnreachableException => true,
        // EF wraps provider errors, and the retrying strategy wraps the last one it saw.
        { InnerException: { } inner } => IsDependencyFailure(inner),
        _ => false,
    };

    /// <summary>First in the pipeline, so it sees everything the rest of it answers.</summary>
    private sealed class ProblemDetailsStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                StatusCodeSelector = exception => IsDependencyFailure(exception)
                    ? StatusCodes.Status503ServiceUnavailable
                    : StatusCodes.Status500InternalServerError,
            });
            app.UseStatusCodePages();
            next(app);
        };
    }
}
