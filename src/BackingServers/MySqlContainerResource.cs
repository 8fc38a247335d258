namespace Aspire.Hosting.ApplicationModel;

/// <summary>The official MySQL image, for machines where docker or podman answers.</summary>
public sealed class MySqlContainerResource(string name, ParameterResource password) : ContainerResource(name), IMySqlServerResource
{
    internal const string PrimaryEndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Server={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};User ID=root;Password={PasswordParameter}");
}
