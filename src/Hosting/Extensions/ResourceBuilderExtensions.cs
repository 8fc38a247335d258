namespace Dedao.Hosting;

/// <summary>Aspire's wiring verbs: references, start order, replicas, endpoints, health checks, environment.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Hands the source's connection string or service address to this resource's environment.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> source)
        where T : Resource
    {
        builder.Resource.References.Add(source.Resource);
        return builder;
    }

    /// <summary>Starts this resource only once the other is running and healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : Resource
    {
        builder.Resource.WaitsFor.Add(dependency.Resource);
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : Resource
    {
        builder.Resource.Environment[name] = () => value;
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name,
        IResourceBuilder<ParameterResource> parameter) where T : Resource
    {
        builder.Resource.Environment[name] = () => parameter.Resource.Value;
        return builder;
    }

    /// <summary>Runs <paramref name="replicas"/> processes, each with its own port and <c>services__name__http__i</c> entry.</summary>
    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas)
        where T : IResourceWithEndpoint
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        switch (builder.Resource)
        {
            case ProjectResource project:
                project.Replicas = replicas;
                break;
            case ExecutableResource executable:
                executable.Replicas = replicas;
                break;
        }

        return builder;
    }

    /// <summary>The resource is healthy while <paramref name="path"/> answers with a success status.</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health")
        where T : IResourceWithEndpoint
    {
        switch (builder.Resource)
        {
            case ProjectResource project:
                project.HealthCheckPath = path;
                break;
            case ExecutableResource executable:
                executable.HealthCheckPath = path;
                executable.HasHttpEndpoint = true;
                break;
        }

        return builder;
    }

    /// <summary>An HTTP endpoint; with <paramref name="port"/> it is fixed instead of allocated.</summary>
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null)
        where T : IResourceWithEndpoint
    {
        builder.Resource.Http.Port = port;
        if (builder.Resource is ExecutableResource executable)
        {
            executable.HasHttpEndpoint = true;
        }

        return builder;
    }

    /// <summary>Reachable from outside the machine's loopback services: bound to localhost and named in the ready line.</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithEndpoint
    {
        builder.Resource.Http.IsExternal = true;
        return builder;
    }
}
