using Yarp.ReverseProxy.Forwarder;

namespace Dedao.Gateway.Proxy;

/// <summary>
/// A backend that refuses, fails or does not answer within the cluster's activity timeout becomes api.md's
/// 503 <c>service_unavailable</c> with Retry-After, instead of YARP's bare 502/504. A request whose own body failed on the
/// client's side (cut off past the 1 MiB limit, or broken) is the client's error, not the backend's, and no retry helps it.
/// </summary>
internal static class BackendFailure
{
    public static async Task TranslateAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.Features.Get<IForwarderErrorFeature>() is not { } error || context.Response.HasStarted
            || error.Error == ForwarderError.RequestCanceled)
        {
            return;
        }

        var (status, title) = error.Error == ForwarderError.RequestBodyClient
            ? TooLarge(error.Exception)
                ? (StatusCodes.Status413PayloadTooLarge, "The request body is larger than 1 MiB.")
                : (StatusCodes.Status400BadRequest, "The request body could not be read.")
            : (StatusCodes.Status503ServiceUnavailable, "The service behind this route is unavailable.");
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "5";
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BackendFailure));
            logger.LogWarning(error.Exception, "Backend of route {Route} failed: {Error}", context.GetRouteModel().Config.RouteId, error.Error);
        }

        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title },
        });
    }

    private static bool TooLarge(Exception? exception) => exception switch
    {
        null => false,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => true,
        _ => TooLarge(exception.InnerException),
    };
}
