using System.ComponentModel.DataAnnotations;

namespace Dedao.Pay.Sandbox;

public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>The HMAC-SHA256 key shared with the provider (the AppHost's <c>sandbox-secret</c> parameter).</summary>
    [Required, MinLength(16)]
    public string Secret { get; set; } = "";

    /// <summary>Where the provider is reached.</summary>
    public Uri BaseAddress { get; set; } = new("http://pay-sandbox");

    /// <summary>A payment still pending this long after it was made is looked up at the provider: its notice may be lost.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often pending payments are looked up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A payment older than this is no longer looked up: its customer walked away without paying.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ReconcileWithin { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Payments looked up in one round, the oldest first.</summary>
    [Range(1, 10000)]
    public int ReconcileBatch { get; set; } = 100;
}
