using Microsoft.AspNetCore.Http.Features;

namespace Dedao.Gateway.Edge;

/// <summary>api.md's 1 MiB limit on request bodies: a declared length over it is refused before anything is read.</summary>
internal sealed class RequestSizeLimit(RequestDelegate next, IProblemDetailsService problems)
{
    public const long MaxBodyBytes = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status413PayloadTooLarge, Title = "The request body is larger than 1 MiB." },
            });
            return;
        }

        // A chunked body is cut off by Kestrel when it grows past the limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        await next(context);
    }
}
