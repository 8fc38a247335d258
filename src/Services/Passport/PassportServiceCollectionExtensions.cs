using Dedao.Passport.Apis;
using Dedao.Passport.Data;
using Dedao.Passport.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dedao.Passport;

public static class PassportServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddPassportServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PassportOptions>()
            .BindConfiguration(PassportOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<PasswordVerifier>();
        services.AddSingleton<SigningKeyStore>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<ServiceClients>();
        services.AddSingleton<LoginThrottleRules>();
        services.AddSingleton<RedisLoginCounters>();
        services.AddSingleton<LocalLoginCounters>();
        services.AddSingleton<LoginThrottle>();
        services.AddScoped<RefreshTokenStore>();

        // Passport validates its own tokens from its key store instead of fetching its own JWKS over HTTP.
        services.AddSingleton<LocalSigningConfigurationManager>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<LocalSigningConfigurationManager>((options, manager) =>
            {
                options.MetadataAddress = string.Empty;
                options.ConfigurationManager = manager;
            });

        // Only the gateway is trusted to say who the client is and which address it used (the host and scheme that
        // discovery and OpenAPI documents show): on loopback by default, elsewhere (a cluster) from the networks in
        // ForwardedHeaders:KnownNetworks. Only its own entry, the right-most one, counts: the ones left of it are
        // whatever the client sent.
        var knownNetworks = builder.Configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [];
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            foreach (var network in knownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        return builder;
    }
}
