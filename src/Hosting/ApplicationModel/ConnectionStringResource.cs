namespace Dedao.Hosting;

/// <summary>A connection string that exists outside the app model, read from <c>ConnectionStrings:name</c>.</summary>
public sealed class ConnectionStringResource(string name, string? value) : Resource(name), IResourceWithConnectionString
{
    public override string Type => "ConnectionString";

    public string GetConnectionString() => value
        ?? throw new DistributedApplicationException($"{Name}: set ConnectionStrings:{Name} in the AppHost's configuration.");
}
