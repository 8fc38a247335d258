namespace Aspire.Hosting.ApplicationModel;

/// <summary>A server that already runs elsewhere, named by <c>ConnectionStrings:&lt;name&gt;</c>; the AppHost only checks it answers.</summary>
public class ExternalServerResource(string name, ParameterResource connectionString) : Resource(name), IResourceWithConnectionString, IResourceWithWaitSupport
{
    public ParameterResource ConnectionStringParameter { get; } = connectionString;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{ConnectionStringParameter}");
}

/// <summary>An existing MySQL server; the databases the model names are created on it as on any other.</summary>
public sealed class ExternalMySqlServerResource(string name, ParameterResource connectionString)
    : ExternalServerResource(name, connectionString), IMySqlServerResource;
