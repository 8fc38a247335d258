using System.Globalization;
using Yarp.ReverseProxy;

namespace Dedao.Gateway.Proxy;

/// <summary>
/// Splits a route's traffic between its cluster and a canary cluster by percentage, as YARP's A/B pattern does.
/// Route metadata (reloaded with the configuration): <c>CanaryCluster</c>, <c>CanaryPercent</c> (0–100).
/// <c>X-Canary: always|never</c> on the request overrides the draw; the response says which one served it.
/// </summary>
internal static class CanaryRouting
{
    public const string HeaderName = "X-Canary";

    public static Task SelectClusterAsync(HttpContext context, Func<Task> next)
    {
        var metadata = context.GetRouteModel().Config.Metadata;
        if (metadata is null || !metadata.TryGetValue("CanaryCluster", out var canaryId))
        {
            return next();
        }

        var useCanary = context.Request.Headers[HeaderName].ToString() switch
        {
            "always" => true,
            "never" => false,
            _ => Random.Shared.NextDouble() * 100 < Percent(metadata),
        };
        if (useCanary && context.RequestServices.GetRequiredService<IProxyStateLookup>().TryGetCluster(canaryId, out var canary))
        {
            context.ReassignProxyRequest(canary);
        }

        context.Response.Headers[HeaderName] = useCanary ? "canary" : "stable";
        return next();
    }

    private static double Percent(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue("CanaryPercent", out var text)
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent)
            ? Math.Clamp(percent, 0, 100)
            : 0;
}
