using System.ComponentModel.DataAnnotations;

namespace Dedao.PaySandbox;

public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>The HMAC-SHA256 key shared with pay (the AppHost's <c>sandbox-secret</c> parameter).</summary>
    [Required, MinLength(16)]
    public string Secret { get; set; } = "";

    /// <summary>Where the provider keeps its books (<see cref="SandboxDatabase"/>): the AppHost's state folder.</summary>
    [Required]
    public string DataFolder { get; set; } = "";

    /// <summary>The merchant's notice endpoint.</summary>
    [Required]
    public Uri NotifyUrl { get; set; } = null!;

    /// <summary>Tries of one notice before the provider gives up on it: with the delays below, about a day, as real ones do.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 300;

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);
}
