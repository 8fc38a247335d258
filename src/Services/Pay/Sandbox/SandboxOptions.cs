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
}
