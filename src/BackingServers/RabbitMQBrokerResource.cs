namespace Aspire.Hosting.ApplicationModel;

/// <summary>rabbitmq-server run by DCP from the package installed here, its data in the AppHost's state folder.</summary>
public sealed class RabbitMQBrokerResource(string name, string command, string dataFolder, ParameterResource password)
    : ExecutableResource(name, command, dataFolder), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string DistributionEndpointName = "distribution";
    internal const string ManagementEndpointName = "management";
    public const string UserName = "dedao";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public EndpointReference DistributionEndpoint => new(this, DistributionEndpointName);

    /// <summary>The management plugin's HTTP API, on loopback: the dead-letter commands list queues through it.</summary>
    public EndpointReference ManagementEndpoint => new(this, ManagementEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{UserName}:{PasswordParameter}@{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}/");
}

/// <summary>
/// Erlang's port mapper for one broker, on loopback. RabbitMQ would start it as a daemon that outlives the broker;
/// run by DCP instead, it stops with the AppHost, even one that was killed.
/// </summary>
public sealed class ErlangPortMapperResource(string name, string command, string workingDirectory) : ExecutableResource(name, command, workingDirectory)
{
    internal const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);
}
