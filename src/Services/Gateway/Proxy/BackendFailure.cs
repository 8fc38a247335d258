using Yarp.ReverseProxy.Forwarder;

namespace Dedao.Gateway.Proxy;

/// <summary>
/// A backend that refuses, fails or does not answer within the cluster's activity timeout becomes api.md's
/// 503 <c>service_unavailable</c> with Retry-After, instead of YARP's bare 502/504.
/// </summary>
internal static class BackendFailure
{
    public static async Task TranslateAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.Features.Get<IForwarderErrorFeature>() is not { } error || context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "5";
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BackendFailure));
        logger.LogWarning(error.Exception, "Backend of route {Route} failed: {Error}", context.GetRouteModel().Config.RouteId, error.Error);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "The service behind this route is unavailable." },
        });
    }
}
