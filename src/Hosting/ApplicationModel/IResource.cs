namespace Dedao.Hosting;

/// <summary>Anything the app model runs or hands to a project: a server, a database, a project, a parameter.</summary>
public interface IResource
{
    string Name { get; }

    /// <summary>Aspire's resource type names, shown by the dashboard.</summary>
    string Type { get; }
}

/// <summary>A resource that projects reach through <c>ConnectionStrings__name</c>.</summary>
public interface IResourceWithConnectionString : IResource
{
    /// <summary>Valid once the engine has allocated the resource's endpoint.</summary>
    string GetConnectionString();
}

/// <summary>A resource that lives inside another one (a database inside its server).</summary>
public interface IResourceWithParent : IResource
{
    IResource Parent { get; }
}

/// <summary>What every resource carries: its wiring to other resources.</summary>
public abstract class Resource(string name) : IResource
{
    public string Name { get; } = name;

    public abstract string Type { get; }

    /// <summary>Resources that must be running and healthy before this one starts.</summary>
    public List<IResource> WaitsFor { get; } = [];

    /// <summary>Resources whose addresses this one receives in its environment.</summary>
    public List<IResource> References { get; } = [];

    public Dictionary<string, Func<string>> Environment { get; } = new(StringComparer.Ordinal);

    public override string ToString() => Name;
}
