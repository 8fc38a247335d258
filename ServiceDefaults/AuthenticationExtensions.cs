using System.Data.Common;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>Every service validates the caller's access token itself; routes are protected unless marked anonymous.</summary>
public static class AuthenticationExtensions
{
    /// <summary>
    /// JwtBearer against passport's signing keys, found through passport's discovery document by
    /// service-discovery name. <c>Authentication:Authority</c> overrides passport's base address.
    /// </summary>
    public static TBuilder AddDefaultAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Bounded so a passport outage turns into a quick 503 instead of a hung request.
        builder.Services.AddHttpClient(PassportJwtBearerOptions.BackchannelClientName,
            client => client.Timeout = PassportJwtBearerOptions.BackchannelTimeout);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddKeyedSingleton<IMemoryCache>(PassportJwtBearerOptions.ValidTokensKey, (_, _) => RememberingTokenHandler.CreateMemory());
        builder.Services.AddSingleton<IConfigureOptions<JwtBearerOptions>, PassportJwtBearerOptions>();
        builder.Services.AddWarmUp<SigningKeysWarmUp>();
        // A route answers for a passport user unless it says otherwise; a service's own token names none.
        var user = new AuthorizationPolicyBuilder().RequireAssertion(context => context.User.GetUserId() is not null).Build();
        builder.Services.AddAuthorizationBuilder()
            .SetDefaultPolicy(user)
            .SetFallbackPolicy(new AuthorizationPolicyBuilder()
                // Routing answers an unknown path (no endpoint), a wrong method (405) or content type (415) with an
                // endpoint of its own that is no RouteEndpoint and reaches no data: those answer as themselves, token or not.
                .RequireAssertion(context => context.User.GetUserId() is not null
                    || (context.Resource is HttpContext http && http.GetEndpoint() is not RouteEndpoint))
                .Build())
            .AddPolicy(ServiceIdentity.Policy, service => service.RequireClaim(ServiceIdentity.ClientIdClaim));
        return builder;
    }
}

/// <summary>
/// Points the default JwtBearer scheme at passport. A named-options class, because the backchannel
/// must come from IHttpClientFactory to get service discovery and resilience.
/// </summary>
internal sealed class PassportJwtBearerOptions(
    IConfiguration configuration,
    IHttpClientFactory httpClientFactory,
    [FromKeyedServices(PassportJwtBearerOptions.ValidTokensKey)] IMemoryCache validTokens,
    TimeProvider time)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    public const string BackchannelClientName = "passport-metadata";
    public const string ValidTokensKey = "valid-access-tokens";
    public static readonly TimeSpan BackchannelTimeout = TimeSpan.FromSeconds(2);

    // The issuer of tokens made before passport's issuer became its public URL; they validate until they expire
    // (15 minutes at most). The current issuer comes from passport's discovery document, which JwtBearer adds.
    private const string LegacyIssuer = "dedao-passport";
    private const string Audience = "dedao";
    private const string DefaultAuthority = "http://passport";
    private const string MetadataPath = "/api/v1/passport/.well-known/openid-configuration";
    private const string AuthorityUnavailable = "Dedao.AuthorityUnavailable";

    /// <summary>Passport's base address: its discovery name, or <c>Authentication:Authority</c>.</summary>
    public static string Authority(IConfiguration configuration) =>
        configuration["Authentication:Authority"] is { Length: > 0 } configured ? configured.TrimEnd('/') : DefaultAuthority;

    public void Configure(JwtBearerOptions options) => Configure(Microsoft.Extensions.Options.Options.DefaultName, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        options.MetadataAddress = Authority(configuration) + MetadataPath;
        // Service-to-service traffic is plain HTTP inside the cluster; the gateway terminates TLS.
        options.RequireHttpsMetadata = false;
        options.Backchannel = httpClientFactory.CreateClient(BackchannelClientName);
        // A token signed with a freshly rotated key makes JwtBearer refetch the JWKS, at most this often,
        // so forged kids cannot turn every request into a call to passport.
        options.RefreshOnIssuerKeyNotFound = true;
        options.RefreshInterval = TimeSpan.FromSeconds(30);
        options.ConfigurationManager = new FailLoudConfigurationManager(new ConfigurationManager<OpenIdConnectConfiguration>(
            options.MetadataAddress,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(options.Backchannel) { RequireHttps = false })
        {
            RefreshInterval = options.RefreshInterval,
            AutomaticRefreshInterval = options.AutomaticRefreshInterval,
        });
        // Keep "sub" and "roles" as passport wrote them instead of the long WS-* claim types.
        options.MapInboundClaims = false;
        // A reader's token comes back on every request, to every service on the way: its signature is checked once a minute.
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new RememberingTokenHandler(validTokens, time));
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuers = [LegacyIssuer],
            ValidAudience = Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = "sub",
            RoleClaimType = "roles",
        };
        options.Events = new JwtBearerEvents
        {
            OnAuthenticationFailed = context =>
            {
                // A bad token is the caller's problem (401); keys that cannot be fetched are ours (503).
                if (IsAuthorityUnreachable(context.Exception))
                {
                    context.HttpContext.Items[AuthorityUnavailable] = true;
                    context.Fail(context.Exception);
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                var unavailable = context.HttpContext.Items.ContainsKey(AuthorityUnavailable);
                if (unavailable)
                {
                    context.Response.Headers.RetryAfter = "5";
                    await WriteProblemAsync(context.HttpContext, StatusCodes.Status503ServiceUnavailable,
                        "Sign-in cannot be checked right now.", "service_unavailable");
                    return;
                }

                context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
                    ? "Bearer"
                    : "Bearer error=\"invalid_token\"";
                await WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                    "A valid access token is required.", "unauthorized");
            },
            OnForbidden = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden,
                "The access token does not allow this.", "forbidden"),
        };
    }

    private static bool IsAuthorityUnreachable(Exception? exception) => exception switch
    {
        null => false,
        HttpRequestException or IOException or OperationCanceledException or TimeoutException or DbException => true,
        // IDX20803: the metadata retriever's "unable to obtain configuration", whatever the cause.
        InvalidOperationException when exception.Message.StartsWith("IDX20803", StringComparison.Ordinal) => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsAuthorityUnreachable),
        _ => IsAuthorityUnreachable(exception.InnerException),
    };

    private static async Task WriteProblemAsync(HttpContext http, int status, string title, string code)
    {
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Extensions = { ["code"] = code } };
        var writer = http.RequestServices.GetService<IProblemDetailsService>();
        if (writer is null || !await writer.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }))
        {
            await http.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}

/// <summary>
/// Hides that the manager is a BaseConfigurationManager. JwtBearer hands one of those to the token
/// handler, which turns "passport unreachable" into "no signing keys", a 401 nobody can tell from a
/// bad token; through this plain interface the fetch failure reaches OnAuthenticationFailed as itself.
/// </summary>
internal sealed class FailLoudConfigurationManager(IConfigurationManager<OpenIdConnectConfiguration> inner)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel) => inner.GetConfigurationAsync(cancel);

    public void RequestRefresh() => inner.RequestRefresh();
}
