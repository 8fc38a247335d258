using System.ComponentModel.DataAnnotations;

namespace Dedao.Passport;

/// <summary>The <c>Passport</c> configuration section.</summary>
public sealed class PassportOptions
{
    public const string Section = "Passport";
    public const string Audience = "dedao";

    /// <summary>Where passport's API lives under the public address; the issuer and discovery are under it.</summary>
    public const string ApiPath = "/api/v1/passport";

    /// <summary>
    /// The platform's public address (the gateway's, as clients reach it). The issuer is this plus <see cref="ApiPath"/>,
    /// the URL discovery is served under, as OpenID Connect Discovery asks; the AppHost sets it to the gateway's endpoint.
    /// </summary>
    [Required, Url]
    public string PublicUrl { get; set; } = "http://localhost:5000";

    public string Issuer => PublicUrl.TrimEnd('/') + ApiPath;

    /// <summary>Kept short because an access token cannot be revoked before it expires.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:15:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A newer key is made once the current one is this old; the previous one stays published.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan SigningKeyRotation { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Wrong passwords one address may try for one phone before each further try waits (OWASP: no lockout).</summary>
    [Range(1, 1000)]
    public int FreeFailedLogins { get; set; } = 5;

    /// <summary>
    /// Failures for one phone from all addresses together after which an address that has failed for it once already
    /// waits before its next try; an address that never failed for it (the owner's, most likely) never does.
    /// </summary>
    [Range(1, 100000)]
    public int PhoneUnderAttackFailures { get; set; } = 20;

    /// <summary>Failures from one address, whatever the phones, after which it gets 429 until the window ends.</summary>
    [Range(1, 100000)]
    public int MaxFailedLoginsPerAddress { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The first wait; each further failure doubles it, up to <see cref="MaxLoginDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan FirstLoginDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxLoginDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The services that may ask for a token of their own (client credentials), by client id, each with its secret:
    /// <c>Passport:Clients:column</c>. The AppHost's <c>WithServiceIdentity</c> generates one per service.
    /// </summary>
    public Dictionary<string, string> Clients { get; set; } = new(StringComparer.Ordinal);
}
