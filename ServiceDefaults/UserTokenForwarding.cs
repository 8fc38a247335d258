using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// An internal call made on a user's behalf carries that user's own access token, so the service called checks it exactly
/// as it checks a client's, and answers for that user only (another user's order is a 404 here too).
/// </summary>
public static class UserTokenForwarding
{
    public static IHttpClientBuilder AddUserTokenForwarding(this IHttpClientBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddTransient<ForwardingHandler>();
        return builder.AddHttpMessageHandler<ForwardingHandler>();
    }

    private sealed class ForwardingHandler(IHttpContextAccessor accessor) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is null
                && accessor.HttpContext?.Request.Headers.Authorization.ToString() is { Length: > 0 } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
