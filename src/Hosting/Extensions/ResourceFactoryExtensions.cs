namespace Dedao.Hosting;

/// <summary>Aspire's <c>Add*</c> methods for the resources this platform uses.</summary>
public static class ResourceFactoryExtensions
{
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this DistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddResource(new ProjectResource(name, new TProject()));

    public static IResourceBuilder<ExecutableResource> AddExecutable(this DistributedApplicationBuilder builder, string name,
        string command, string workingDirectory, params string[] args) =>
        builder.AddResource(new ExecutableResource(name, command, workingDirectory, args));

    /// <summary>A value from <c>Parameters:name</c>; a secret one is generated and kept with the state when not configured.</summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this DistributedApplicationBuilder builder, string name,
        bool secret = false) =>
        builder.AddResource(new ParameterResource(name, secret));

    public static IResourceBuilder<ConnectionStringResource> AddConnectionString(this DistributedApplicationBuilder builder,
        string name) =>
        builder.AddResource(new ConnectionStringResource(name, builder.Configuration.GetSection("ConnectionStrings")[name]));

    public static IResourceBuilder<MySqlServerResource> AddMySql(this DistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource>? password = null) =>
        builder.AddResource(new MySqlServerResource(name, PasswordOf(builder, name, password)));

    public static IResourceBuilder<MySqlDatabaseResource> AddDatabase(this IResourceBuilder<MySqlServerResource> server,
        string name, string? databaseName = null)
    {
        var database = new MySqlDatabaseResource(name, databaseName ?? name, server.Resource);
        database.WaitsFor.Add(server.Resource);
        server.Resource.Databases.Add(database);
        return server.ApplicationBuilder.AddResource(database);
    }

    public static IResourceBuilder<RedisResource> AddRedis(this DistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource>? password = null) =>
        builder.AddResource(new RedisResource(name, PasswordOf(builder, name, password)));

    public static IResourceBuilder<RabbitMQServerResource> AddRabbitMQ(this DistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource>? password = null) =>
        builder.AddResource(new RabbitMQServerResource(name, PasswordOf(builder, name, password)));

    /// <summary>Keeps the server's data between runs.</summary>
    public static IResourceBuilder<T> WithDataVolume<T>(this IResourceBuilder<T> builder) where T : ServerResource
    {
        builder.Resource.HasDataVolume = true;
        return builder;
    }

    private static ParameterResource PasswordOf(DistributedApplicationBuilder builder, string server,
        IResourceBuilder<ParameterResource>? password) =>
        password?.Resource ?? builder.AddParameter($"{server}-password", secret: true).Resource;
}
