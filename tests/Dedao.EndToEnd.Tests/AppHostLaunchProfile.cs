using System.Text.Json;
using Dedao.Testing;

namespace Dedao.EndToEnd.Tests;

/// <summary>
/// The environment <c>dotnet run</c> gives the AppHost from its "http" launch profile, with every localhost port
/// swapped for a free one, so a test's AppHost never meets a developer's or another test's.
/// </summary>
internal static class AppHostLaunchProfile
{
    public static Dictionary<string, string> EnvironmentOnFreePorts(string appHostDirectory)
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(appHostDirectory, "Properties", "launchSettings.json")));
        var profile = settings.RootElement.GetProperty("profiles").GetProperty("http");
        var environment = profile.GetProperty("environmentVariables").EnumerateObject()
            .ToDictionary(variable => variable.Name, variable => OnFreePort(variable.Value.GetString() ?? ""));
        environment["ASPNETCORE_URLS"] = OnFreePort(profile.GetProperty("applicationUrl").GetString()!);
        return environment;
    }

    private static string OnFreePort(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && url.IsLoopback
            ? $"{url.Scheme}://{url.Host}:{FreePort.Next()}"
            : value;
}
