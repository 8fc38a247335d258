using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Headers;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Who a service is when it calls another on nobody's behalf: a token of its own from passport (OAuth 2.0 client
/// credentials), asked once and reused until shortly before it expires. A call made for a user carries the user's
/// token instead (<see cref="UserTokenForwarding"/>). The AppHost's <c>WithServiceIdentity</c> sets the credentials.
/// </summary>
public static class ServiceIdentity
{
    public const string Section = "ServiceIdentity";

    /// <summary>Names the service in its own token (RFC 9068); a user's token has none.</summary>
    public const string ClientIdClaim = "client_id";

    /// <summary>Passport's client-credentials token endpoint; the gateway does not route <c>/internal</c>.</summary>
    public const string TokenPath = "/internal/connect/token";

    /// <summary>The policy of a route only services call: a service's own token, never a reader's.</summary>
    public const string Policy = "service";

    internal const string TokenClientName = "passport-service-tokens";

    /// <summary>Every request this client sends without an <c>Authorization</c> header carries the service's own token.</summary>
    public static IHttpClientBuilder AddServiceIdentity(this IHttpClientBuilder builder)
    {
        builder.Services.AddOptions<ServiceIdentityOptions>().BindConfiguration(Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient(TokenClientName, client => client.Timeout = PassportJwtBearerOptions.BackchannelTimeout);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ServiceTokens>();
        builder.Services.TryAddTransient<ServiceTokenHandler>();
        return builder.AddHttpMessageHandler<ServiceTokenHandler>();
    }

    private sealed class ServiceTokenHandler(ServiceTokens tokens) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken).ConfigureAwait(false));
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The <c>ServiceIdentity</c> section: this service's client credentials at passport.</summary>
public sealed class ServiceIdentityOptions
{
    [Required]
    public string ClientId { get; set; } = "";

    [Required]
    public string ClientSecret { get; set; } = "";
}

/// <summary>One token for the whole process, renewed by one caller at a time once four fifths of its life are gone.</summary>
internal sealed class ServiceTokens(
    IHttpClientFactory httpClientFactory,
    IOptions<ServiceIdentityOptions> options,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<ServiceTokens> logger) : IDisposable
{
    private readonly SemaphoreSlim _renewal = new(1, 1);
    private volatile IssuedToken? _current;

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && time.GetUtcNow() < current.RenewAt)
        {
            return current.Value;
        }

        await _renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } renewed && time.GetUtcNow() < renewed.RenewAt)
            {
                return renewed.Value;
            }

            _current = await RequestAsync(cancellationToken).ConfigureAwait(false);
            return _current.Value;
        }
        finally
        {
            _renewal.Release();
        }
    }

    private async Task<IssuedToken> RequestAsync(CancellationToken cancellationToken)
    {
        using var http = httpClientFactory.CreateClient(ServiceIdentity.TokenClientName);
        var asked = time.GetUtcNow();
        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = PassportJwtBearerOptions.Authority(configuration) + ServiceIdentity.TokenPath,
            ClientId = options.Value.ClientId,
            ClientSecret = options.Value.ClientSecret,
        }, cancellationToken).ConfigureAwait(false);
        if (response.IsError || response.AccessToken is not { Length: > 0 } token)
        {
            // A refusal is a wrong deployment, not a passing fault: say so loudly, once per call that needed the token.
            if (response.HttpStatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
            {
                logger.LogError("Passport refused {ClientId} a service token ({Status}): {Error}",
                    options.Value.ClientId, (int)response.HttpStatusCode, response.Error);
            }

            // An HttpRequestException, so a caller that degrades when the other service is away degrades here too.
            throw new HttpRequestException($"No service token from passport: {response.Error}", response.Exception, response.HttpStatusCode);
        }

        return new IssuedToken(token, asked + (TimeSpan.FromSeconds(response.ExpiresIn) * 0.8));
    }

    public void Dispose() => _renewal.Dispose();

    private sealed record IssuedToken(string Value, DateTimeOffset RenewAt);
}
