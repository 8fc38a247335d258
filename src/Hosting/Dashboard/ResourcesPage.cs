using System.Net;
using System.Text;
using Dedao.Hosting.Orchestration;

namespace Dedao.Hosting.Dashboard;

/// <summary>The resource table for people; it reloads itself every two seconds.</summary>
internal static class ResourcesPage
{
    public static string Render(IReadOnlyList<ResourceSnapshot> resources)
    {
        var rows = new StringBuilder();
        foreach (var r in resources)
        {
            var endpoints = string.Join(" ", r.Endpoints.Select(e => e.StartsWith("http", StringComparison.Ordinal)
                ? $"<a href=\"{WebUtility.HtmlEncode(e)}\">{WebUtility.HtmlEncode(e)}</a>"
                : WebUtility.HtmlEncode(e)));
            rows.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<tr><td><a href=\"/api/resources/{r.Name}/logs\">{r.Name}</a></td><td>{r.Type}</td><td class=\"{r.State}\">{r.State}</td>"
                + $"<td>{r.Health}</td><td>{endpoints}</td><td>{r.StartedAt:HH:mm:ss}</td><td>{r.Restarts}</td></tr>");
        }

        return $$"""
            <!doctype html>
            <html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>Dedao dashboard</title>
            <style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em 1em;text-align:left}
            .Running{color:green}.FailedToStart,.Exited{color:#b00}</style></head>
            <body><h1>Dedao resources</h1>
            <table><tr><th>Name</th><th>Type</th><th>State</th><th>Health</th><th>Endpoints</th><th>Started</th><th>Restarts</th></tr>
            {{rows}}</table><p><a href="/api/resources">/api/resources</a> · <a href="/api/telemetry">/api/telemetry</a></p></body></html>
            """;
    }
}
