using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Dedao.Passport.Security;

/// <summary>
/// Gives passport's own JwtBearer the keys straight from the key store, so passport validates
/// tokens without an HTTP call to itself; an unknown kid still triggers a reload, as it would remotely.
/// </summary>
public sealed class LocalSigningConfigurationManager(SigningKeyStore store, IOptions<PassportOptions> options) : IConfigurationManager<OpenIdConnectConfiguration>
{
    private volatile Snapshot? _last;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var keys = await store.GetAsync(cancel);
        if (_last is { } last && ReferenceEquals(last.Keys, keys))
        {
            return last.Configuration;
        }

        var configuration = new OpenIdConnectConfiguration { Issuer = options.Value.Issuer };
        foreach (var key in keys.Keys)
        {
            configuration.SigningKeys.Add(key.Key);
        }

        _last = new Snapshot(keys, configuration);
        return configuration;
    }

    public void RequestRefresh() => store.RequestReload();

    private sealed record Snapshot(SigningKeySet Keys, OpenIdConnectConfiguration Configuration);
}
