using System.Data.Common;
using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Turns an unhandled exception into api.md's error contract: an unreadable or mistyped body is 400
/// <c>invalid_body</c> (413, 415 when that is what ASP.NET found), a lost dependency is 503, the rest 500.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, title) = Classify(http, exception);
        if (status == StatusCodes.Status500InternalServerError)
        {
            logger.LogError(exception, "Unhandled exception");
        }
        else
        {
            logger.LogWarning(exception, "Answered {Status} {Code}", status, code);
        }

        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Extensions = { ["code"] = code } },
        });
    }

    private static (int Status, string Code, string Title) Classify(HttpContext http, Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            (415, "unsupported_media_type", "The request body must be application/json."),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, "payload_too_large", "The request body is too large."),
        // A body that is not JSON, not the expected shape, empty or cut off; binding anything else (a query value) is plain bad_request.
        BadHttpRequestException when HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPut(http.Request.Method)
                                     || HttpMethods.IsPatch(http.Request.Method) =>
            (400, "invalid_body", "The request body is not valid JSON of the expected shape."),
        BadHttpRequestException bad => (bad.StatusCode, ProblemDetailsDefaults.CodeOf(bad.StatusCode), "The request is not valid."),
        _ when IsDependencyFailure(exception) => (503, "service_unavailable", "A service this request needs is unavailable; try again shortly."),
        _ => (500, "internal_error", "An unexpected error occurred."),
    };

    private static bool IsDependencyFailure(Exception exception) => exception switch
    {
        DbException or RedisException or TimeoutException or RabbitMQ.Client.Exceptions.BrokerUnreachableException => true,
        // Another service out of reach or in trouble of its own, or its circuit open (Polly rejects the call at once). A 4xx
        // from it is our request's fault, not its absence.
        HttpRequestException { StatusCode: null or >= HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout
            or HttpStatusCode.TooManyRequests } or Polly.ExecutionRejectedException => true,
        // EF wraps provider errors, and the retrying strategy wraps the last one it saw.
        { InnerException: { } inner } => IsDependencyFailure(inner),
        _ => false,
    };

    /// <summary>Development's exception page, answered by the same handler, so no environment shows more than another.</summary>
    internal sealed class DeveloperPageFilter(ProblemExceptionHandler handler) : IDeveloperPageExceptionFilter
    {
        public async Task HandleExceptionAsync(ErrorContext errorContext, Func<ErrorContext, Task> next) =>
            await handler.TryHandleAsync(errorContext.HttpContext, errorContext.Exception, errorContext.HttpContext.RequestAborted);
    }
}
