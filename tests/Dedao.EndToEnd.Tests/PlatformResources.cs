namespace Dedao.EndToEnd.Tests;

/// <summary>The resources <c>AppHost/Program.cs</c> declares, whichever form its servers take on this machine.</summary>
internal static class PlatformResources
{
    public static readonly string[] Services = ["gateway", "passport", "pay", "coin", "order", "course", "column", "comment"];
    public static readonly string[] Servers = ["mysql", "redis", "messaging"];
    public static readonly string[] Databases = ["passportdb", "paydb", "coindb", "orderdb", "coursedb", "columndb", "commentdb"];

    public static IEnumerable<string> All => Services.Concat(Servers).Concat(Databases);
}
