using System.ComponentModel.DataAnnotations;

namespace Dedao.Passport;

/// <summary>The <c>Passport</c> configuration section.</summary>
public sealed class PassportOptions
{
    public const string Section = "Passport";
    public const string Issuer = "dedao-passport";
    public const string Audience = "dedao";

    /// <summary>Kept short because an access token cannot be revoked before it expires.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:15:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A newer key is made once the current one is this old; the previous one stays published.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan SigningKeyRotation { get; set; } = TimeSpan.FromDays(30);

    [Range(1, 1000)]
    public int MaxFailedLoginsPerPhone { get; set; } = 5;

    [Range(1, 100000)]
    public int MaxFailedLoginsPerAddress { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(15);
}
