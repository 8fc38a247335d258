using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Fetches passport's signing keys before the service reports healthy, then checks a token once, so the first signed-in
/// request pays neither for the round trips nor for compiling the token handler. Passport may still be starting: it
/// retries for a while, and a failure only means the first request fetches the keys itself.
/// </summary>
internal sealed class SigningKeysWarmUp(IOptionsMonitor<JwtBearerOptions> options, ILogger<SigningKeysWarmUp> logger) : IWarmUp
{
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var jwtBearer = options.Get(JwtBearerDefaults.AuthenticationScheme);
        if (jwtBearer.ConfigurationManager is { } manager)
        {
            await FetchKeysAsync(manager, cancellationToken);
        }

        await CheckATokenAsync(jwtBearer.TokenValidationParameters);
    }

    private async Task FetchKeysAsync(IConfigurationManager<OpenIdConnectConfiguration> manager,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await manager.GetConfigurationAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 10)
            {
                logger.LogDebug(e, "Signing keys not fetched yet (attempt {Attempt})", attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), cancellationToken);
            }
        }
    }

    /// <summary>A token of our own, signed with a key that exists only here: it proves nothing, and is checked as any other.</summary>
    private static async Task CheckATokenAsync(TokenValidationParameters service)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = "warm-up" };
        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        var parameters = service.Clone();
        parameters.IssuerSigningKey = key;
        parameters.IssuerSigningKeys = [key];
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = parameters.ValidIssuers?.FirstOrDefault(),
            Audience = parameters.ValidAudience,
            Expires = DateTime.UtcNow.AddMinutes(1),
            Claims = new Dictionary<string, object> { ["sub"] = Guid.Empty.ToString(), ["roles"] = "user" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
        var result = await handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            throw new InvalidOperationException("The warm-up's own token did not validate.", result.Exception);
        }
    }
}
