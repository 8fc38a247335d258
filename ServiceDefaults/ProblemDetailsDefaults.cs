using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Every error a service answers is problem+json with a stable <c>code</c>, in every environment and whatever the
/// client accepts: bad input is a 400/413/415, a lost database or Redis a 503 with Retry-After, anything else a bare
/// 500, and empty error responses (unknown route, 401 challenge, 405) get a body. Nothing of an exception or of the
/// request ever reaches the client; it goes to the logs and traces.
/// </summary>
public static class ProblemDetailsDefaults
{
    public const string RetryAfterSeconds = "5";

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

            // An exception's message may name a type, a host or a column; the code and title say enough.
            if (status >= 500 || context.Exception is not null)
            {
                problem.Detail = null;
                problem.Extensions.Remove("exception");
            }
        });
        // Asked after ASP.NET's own writer, for the requests that one declines (Accept: text/html).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, AnyAcceptProblemDetailsWriter>());
        services.TryAddSingleton<ProblemExceptionHandler>();
        services.AddSingleton<IExceptionHandler>(sp => sp.GetRequiredService<ProblemExceptionHandler>());
        // Development's exception page would show the stack, the host and the request's headers: it hands over to us.
        services.AddSingleton<IDeveloperPageExceptionFilter, ProblemExceptionHandler.DeveloperPageFilter>();
        // Bad bodies throw in every environment (by default only in Development), so they reach the handler above
        // instead of becoming an empty 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
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
        431 => "headers_too_large",
        503 => "service_unavailable",
        _ when status >= 500 => "internal_error",
        _ => "error",
    };

    /// <summary>First in the pipeline, so it sees everything the rest of it answers.</summary>
    private sealed class ProblemDetailsStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseExceptionHandler();
            app.UseStatusCodePages();
            next(app);
        };
    }
}
