namespace Aspire.Hosting.ApplicationModel;

/// <summary>MySQL or MariaDB run by DCP from the binary installed here, its data in the AppHost's state folder.</summary>
public sealed class MySqlServerResource(string name, string command, string dataFolder, ParameterResource password)
    : ExecutableResource(name, command, dataFolder), IMySqlServerResource
{
    internal const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public string DataFolder { get; } = dataFolder;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};User ID=root;Password={PasswordParameter}");
}
