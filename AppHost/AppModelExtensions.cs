namespace Dedao.AppHost;

internal static class AppModelExtensions
{
    /// <summary>A Dedao service: it waits for and references its database and backing servers, and reports health.</summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this DistributedApplicationBuilder builder, string name,
        params IResourceBuilder<IResource>[] dependencies) where TProject : IProjectMetadata, new()
    {
        var service = builder.AddProject<TProject>(name).WithHttpHealthCheck("/health");
        foreach (var dependency in dependencies)
        {
            service.WithReference(dependency).WaitFor(dependency);
        }

        return service;
    }
}
