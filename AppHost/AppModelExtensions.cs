using Microsoft.Extensions.Configuration;

namespace Dedao.AppHost;

internal static class AppModelExtensions
{
    /// <summary>
    /// A Dedao service: it references and waits for its database and backing servers, reports health, and comes back
    /// after a crash. Its endpoint is proxyless unless <c>AppHost:ProxyServices</c> is true: one instance needs no DCP
    /// proxy, and every call through the gateway saves that hop (bench/gateway.sh measures both).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name,
        params IResourceBuilder<IResourceWithConnectionString>[] dependencies) where TProject : IProjectMetadata, new()
    {
        var service = builder.AddProject<TProject>(name)
            .WithHttpEndpoint(name: "http", isProxied: builder.Configuration.GetValue("AppHost:ProxyServices", false))
            .WithHttpHealthCheck("/health")
            .WithRestartOnCrash();
        foreach (var dependency in dependencies)
        {
            service.WithReference(dependency).WaitFor(dependency);
        }

        return service;
    }

    /// <summary>The gateway's one public endpoint, on its fixed port (0: any free port, as tests ask).</summary>
    public static IResourceBuilder<ProjectResource> WithGatewayEndpoint(this IResourceBuilder<ProjectResource> gateway, int port) =>
        gateway.WithEndpoint("http", endpoint => endpoint.Port = port == 0 ? null : port).WithExternalHttpEndpoints();
}
