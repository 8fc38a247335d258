using System.Globalization;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Dedao.Gateway.Proxy;

/// <summary>
/// A route marked deprecated in configuration answers with <c>Deprecation</c> (RFC 9745), <c>Sunset</c> (RFC 8594)
/// and a <c>Link</c> to its successor. Route metadata: <c>Deprecated</c> and <c>Sunset</c> (dates),
/// <c>SuccessorLink</c> (a path template whose <c>{name}</c> parts are filled from the route values).
/// </summary>
internal sealed class DeprecationTransformProvider : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
        foreach (var key in new[] { "Deprecated", "Sunset" })
        {
            if (context.Route.Metadata?.TryGetValue(key, out var value) == true && !TryParseDate(value, out _))
            {
                context.Errors.Add(new FormatException($"Route '{context.Route.RouteId}': {key} '{value}' is not a date."));
            }
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        var metadata = context.Route.Metadata;
        if (metadata is null || !metadata.TryGetValue("Deprecated", out var deprecated) || !TryParseDate(deprecated, out var since))
        {
            return;
        }

        var sunset = metadata.TryGetValue("Sunset", out var text) && TryParseDate(text, out var date) ? date : (DateTimeOffset?)null;
        var successor = metadata.GetValueOrDefault("SuccessorLink");
        context.AddResponseTransform(transform =>
        {
            var headers = transform.HttpContext.Response.Headers;
            headers["Deprecation"] = $"@{since.ToUnixTimeSeconds()}";
            if (sunset is { } end)
            {
                headers["Sunset"] = end.ToString("r", CultureInfo.InvariantCulture);
            }

            if (successor is not null)
            {
                headers.Append("Link", $"<{Fill(successor, transform.HttpContext.Request.RouteValues)}>; rel=\"successor-version\"");
            }

            return ValueTask.CompletedTask;
        });
    }

    private static bool TryParseDate(string text, out DateTimeOffset date) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date);

    private static string Fill(string template, RouteValueDictionary values) =>
        values.Aggregate(template, (path, pair) =>
            path.Replace($"{{{pair.Key}}}", Uri.EscapeDataString(Convert.ToString(pair.Value, CultureInfo.InvariantCulture) ?? ""),
                StringComparison.Ordinal));
}
