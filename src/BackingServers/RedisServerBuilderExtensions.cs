using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

public static class RedisServerBuilderExtensions
{
    /// <summary>
    /// A Redis server: <c>ConnectionStrings:&lt;name&gt;</c> when set, else Aspire's Redis container where an engine answers,
    /// else <c>redis-server</c> run by DCP, listening on loopback only, with its data in the state folder.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(this IDistributedApplicationBuilder builder, string name)
    {
        var binary = ServerRuntimeChoice.FindExecutable("redis-server");
        var runtime = builder.ExecutionContext.IsPublishMode
            ? ServerRuntime.Container
            : ServerRuntimeChoice.Choose(builder.Configuration, name, "Redis", "apt-get install redis-server", binary is not null);
        return runtime switch
        {
            ServerRuntime.External => builder.AddExternalServer(new ExternalServerResource(name, builder.ConnectionStringParameter(name)))
                .WithRedisHealthCheck(),
            ServerRuntime.Container => builder.AddRedis(name).WithDataVolume(),
            _ => builder.AddRedisExecutable(name, binary!).WithRedisHealthCheck(),
        };
    }

    private static IResourceBuilder<RedisServerResource> AddRedisExecutable(this IDistributedApplicationBuilder builder, string name, string binary)
    {
        var state = StateFolder.For(builder);
        var password = GeneratedSecretBuilderExtensions.CreateGeneratedSecret(builder, $"{name}-password");
        var dataFolder = state.Folder("data", name);
        var configFile = Path.Combine(state.Folder("config", name), "redis.conf");
        var server = new RedisServerResource(name, binary, dataFolder, password);
        return builder.AddResource(server)
            .WithIconName("Database")
            .WithEndpoint(name: RedisServerResource.PrimaryEndpointName, scheme: "redis", isProxied: false)
            // The password lives in a private file, not on a command line every local user can read.
            .WithArgs(context =>
            {
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .OnBeforeResourceStarted(async (resource, _, ct) => StateFolder.WritePrivateFile(configFile, $"""
                bind 127.0.0.1
                protected-mode yes
                requirepass "{await resource.PasswordParameter.GetValueAsync(ct).ConfigureAwait(false)}"
                dir "{dataFolder}"
                daemonize no
                appendonly yes
                save 60 1
                """));
    }

    private static IResourceBuilder<T> WithRedisHealthCheck<T>(this IResourceBuilder<T> builder) where T : IResourceWithConnectionString =>
        builder.WithConnectionHealthCheck((checks, key, connectionString) => checks.AddRedis(_ => connectionString(), name: key));
}
