using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace Aspire.Hosting;

public static class RabbitMQServerBuilderExtensions
{
    private const string DebianServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>
    /// A RabbitMQ broker: <c>ConnectionStrings:&lt;name&gt;</c> when set, else Aspire's RabbitMQ container where an engine answers,
    /// else <c>rabbitmq-server</c> run by DCP with every listener (AMQP, Erlang distribution, epmd) on loopback.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRabbitMQServer(this IDistributedApplicationBuilder builder, string name)
    {
        // Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user and drops our environment; the script behind it does not.
        var found = ServerRuntimeChoice.FindExecutable("rabbitmq-server");
        var binary = found is not null && File.Exists(DebianServerScript) ? DebianServerScript : found;
        var epmd = ServerRuntimeChoice.FindExecutable("epmd");
        var runtime = builder.ExecutionContext.IsPublishMode
            ? ServerRuntime.Container
            : ServerRuntimeChoice.Choose(builder.Configuration, name, "RabbitMQ", "apt-get install rabbitmq-server",
                binary is not null && epmd is not null);
        return runtime switch
        {
            ServerRuntime.External => builder.AddExternalServer(new ExternalServerResource(name, builder.ConnectionStringParameter(name)))
                .WithRabbitMQHealthCheck(),
            ServerRuntime.Container => builder.AddRabbitMQ(name).WithDataVolume().WithManagementPlugin()
                .WithDeadLetterCommands(resource => resource.ManagementEndpoint),
            _ => builder.AddRabbitMQExecutable(name, binary!, epmd!).WithRabbitMQHealthCheck()
                .WithDeadLetterCommands(resource => resource.ManagementEndpoint),
        };
    }

    private static IResourceBuilder<RabbitMQBrokerResource> AddRabbitMQExecutable(this IDistributedApplicationBuilder builder, string name,
        string binary, string epmdBinary)
    {
        var state = StateFolder.For(builder);
        var password = GeneratedSecretBuilderExtensions.CreateGeneratedSecret(builder, $"{name}-password");
        var dataFolder = state.Folder("data", name);
        var configFolder = state.Folder("config", name);
        var configFile = Path.Combine(configFolder, "rabbitmq.conf");
        var pluginsFile = Path.Combine(configFolder, "enabled_plugins");
        // One node name per state folder, so brokers of two AppHosts never meet.
        var nodeName = $"dedao-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(state.Root)))[..8]}-{name}@localhost";
        var broker = new RabbitMQBrokerResource(name, binary, dataFolder, password);

        var brokerBuilder = builder.AddResource(broker)
            .WithIconName("MailMultiple")
            .WithEndpoint(name: RabbitMQBrokerResource.PrimaryEndpointName, scheme: "amqp", isProxied: false)
            .WithEndpoint(name: RabbitMQBrokerResource.DistributionEndpointName, scheme: "tcp", isProxied: false)
            .WithEndpoint(name: RabbitMQBrokerResource.ManagementEndpointName, scheme: "http", isProxied: false);
        var mapper = new ErlangPortMapperResource($"{name}-epmd", epmdBinary, dataFolder);
        var portMapperCheck = $"{mapper.Name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(portMapperCheck,
            _ => new PortAnswersHealthCheck(mapper.PrimaryEndpoint), failureStatus: null, tags: null));
        var portMapper = builder.AddResource(mapper)
            .WithEndpoint(name: ErlangPortMapperResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)
            .WithHealthCheck(portMapperCheck)
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .WithArgs("-port", mapper.PrimaryEndpoint.Property(EndpointProperty.TargetPort))
            .ExcludeFromManifest();

        // Until our epmd listens, the broker would start a daemon of its own that outlives it.
        return brokerBuilder
            .WaitFor(portMapper)
            .WithEnvironment(context =>
            {
                var environment = context.EnvironmentVariables;
                environment["HOME"] = dataFolder;
                environment["RABBITMQ_NODENAME"] = nodeName;
                environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(dataFolder, "mnesia");
                environment["RABBITMQ_LOG_BASE"] = Path.Combine(dataFolder, "log");
                environment["RABBITMQ_LOGS"] = "-";
                environment["RABBITMQ_CONFIG_FILE"] = configFile;
                environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = pluginsFile;
                environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
                environment["RABBITMQ_NODE_PORT"] = broker.PrimaryEndpoint.Property(EndpointProperty.TargetPort);
                environment["RABBITMQ_DIST_PORT"] = broker.DistributionEndpoint.Property(EndpointProperty.TargetPort);
                environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
                environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
                environment["ERL_EPMD_PORT"] = mapper.PrimaryEndpoint.Property(EndpointProperty.TargetPort);
            })
            .OnBeforeResourceStarted(async (resource, _, ct) =>
            {
                StateFolder.WritePrivateFile(configFile, $"""
                    default_user = {RabbitMQBrokerResource.UserName}
                    default_pass = {await resource.PasswordParameter.GetValueAsync(ct).ConfigureAwait(false)}
                    loopback_users = none
                    management.tcp.ip = 127.0.0.1
                    management.tcp.port = {await resource.ManagementEndpoint.Property(EndpointProperty.TargetPort).GetValueAsync(ct).ConfigureAwait(false)}
                    """);
                StateFolder.WritePrivateFile(pluginsFile, "[rabbitmq_management].");
            });
    }

    private static IResourceBuilder<T> WithRabbitMQHealthCheck<T>(this IResourceBuilder<T> builder) where T : IResourceWithConnectionString
    {
        // One connection, reused by every check, as Aspire's own RabbitMQ integration does.
        IConnection? connection = null;
        return builder.WithConnectionHealthCheck((checks, key, connectionString) => checks.AddRabbitMQ(async _ => connection ??=
            await new ConnectionFactory { Uri = new Uri(connectionString()) }.CreateConnectionAsync().ConfigureAwait(false), key));
    }
}
