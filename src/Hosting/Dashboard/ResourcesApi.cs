using Dedao.Hosting.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Dedao.Hosting.Dashboard;

internal static class ResourcesApi
{
    public static void MapResourcesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/resources");
        api.MapGet("/", (ResourceNotificationService resources) => TypedResults.Ok(resources.Snapshots()));
        api.MapGet("/{name}/logs", Results<Ok<IReadOnlyList<string>>, NotFound> (string name, ResourceNotificationService resources) =>
            resources.Instances.FirstOrDefault(i => i.Name == name) is { } instance
                ? TypedResults.Ok(instance.Logs())
                : TypedResults.NotFound());
    }
}
