using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Yarp.ReverseProxy;

namespace Dedao.Gateway.Proxy;

/// <summary>
/// The gateway's OpenAPI document lists its proxied routes, read from YARP's live configuration: the path, the
/// methods, whether a token is needed, the rate-limit policy and whether the route is deprecated. The services'
/// own documents (e.g. passport's) describe the bodies.
/// </summary>
internal sealed partial class ProxyRoutesDocument(IProxyStateLookup proxy) : IOpenApiDocumentTransformer
{
    private static readonly HttpMethod[] AnyMethod = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo { Title = "Dedao gateway routes", Version = "v1" };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
        };
        document.Paths ??= [];
        foreach (var route in proxy.GetRoutes().Select(r => r.Config).OrderBy(r => r.Match.Path, StringComparer.Ordinal))
        {
            var path = PlainTemplate(route.Match.Path ?? "/");
            if (!document.Paths.TryGetValue(path, out var item))
            {
                item = new OpenApiPathItem();
                document.Paths[path] = item;
            }

            var methods = route.Match.Methods is { Count: > 0 } listed ? listed.Select(name => HttpMethod.Parse(name)) : AnyMethod;
            foreach (var method in methods)
            {
                var operation = new OpenApiOperation
                {
                    OperationId = $"{route.RouteId}-{method.Method.ToLowerInvariant()}",
                    Summary = $"Proxied to the '{route.ClusterId}' service",
                    Tags = new HashSet<OpenApiTagReference> { new(route.ClusterId!, document) },
                    Deprecated = route.Metadata?.ContainsKey("Deprecated") == true,
                    Extensions = new Dictionary<string, IOpenApiExtension>
                    {
                        ["x-rate-limit-policy"] = new JsonNodeExtension(route.RateLimiterPolicy ?? "none"),
                    },
                };
                if (!string.Equals(route.AuthorizationPolicy, "anonymous", StringComparison.OrdinalIgnoreCase))
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] }];
                }

                ((OpenApiPathItem)item).AddOperation(method, operation);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary><c>/api/{version:regex(^v\d+$)}/columns/{**rest}</c> becomes <c>/api/{version}/columns/{rest}</c>.</summary>
    private static string PlainTemplate(string template) => Parameter().Replace(template, match => $"{{{match.Groups["name"].Value}}}");

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)(:[^{}]*(\{[^{}]*\}[^{}]*)*)?\}")]
    private static partial Regex Parameter();
}
