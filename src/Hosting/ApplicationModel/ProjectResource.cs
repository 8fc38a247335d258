namespace Dedao.Hosting;

/// <summary>Implemented by the generated <c>Projects.*</c> classes: where a service project and its build output are.</summary>
public interface IProjectMetadata
{
    string ProjectPath { get; }

    string AssemblyPath { get; }
}

/// <summary>A .NET project of this solution, run from its build output, one process per replica.</summary>
public sealed class ProjectResource(string name, IProjectMetadata metadata) : Resource(name), IResourceWithEndpoint
{
    public override string Type => "Project";

    public IProjectMetadata Metadata { get; } = metadata;

    public int Replicas { get; set; } = 1;

    public HttpEndpoint Http { get; } = new();

    public string? HealthCheckPath { get; set; }
}

/// <summary>A resource that answers HTTP.</summary>
public interface IResourceWithEndpoint : IResource
{
    HttpEndpoint Http { get; }

    int Replicas { get; }

    string? HealthCheckPath { get; }
}
