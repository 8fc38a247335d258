using System.Reflection;
using System.Text.RegularExpressions;
using Dedao.Hosting.Testing;
using Microsoft.Extensions.Configuration;

namespace Dedao.Hosting;

/// <summary>Collects the app model; <see cref="Build"/> turns it into a runnable <see cref="DistributedApplication"/>.</summary>
public sealed partial class DistributedApplicationBuilder
{
    private readonly List<IResource> _resources = [];
    private bool _handedToTest;

    internal DistributedApplicationBuilder(string[] args, string appHostDirectory, TestingHook? testing)
    {
        Testing = testing;
        AppHostDirectory = appHostDirectory;
        EnvironmentName = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? "Development";
        Configuration = new ConfigurationManager();
        Configuration.SetBasePath(appHostDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{EnvironmentName}.json", optional: true)
            .AddEnvironmentVariables();
        testing?.Configure(Configuration);
        Configuration.AddCommandLine(args);
    }

    private TestingHook? Testing { get; }

    public ConfigurationManager Configuration { get; }

    public string EnvironmentName { get; }

    /// <summary>Where the AppHost project lives; its state folder is <c>.state</c> there.</summary>
    public string AppHostDirectory { get; }

    public IReadOnlyList<IResource> Resources => _resources;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (!ResourceName().IsMatch(resource.Name))
        {
            throw new DistributedApplicationException(
                $"'{resource.Name}' is not a valid resource name: use lowercase letters, digits and '-', starting with a letter.");
        }

        if (_resources.Any(r => r.Name == resource.Name))
        {
            throw new DistributedApplicationException($"A resource named '{resource.Name}' already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public DistributedApplication Build()
    {
        if (Testing is { CapturesBuild: true } hook && !_handedToTest)
        {
            // The AppHost's Main runs only to describe the model; the test takes over from here.
            _handedToTest = true;
            hook.Capture(this);
        }

        return new DistributedApplication(this);
    }

    internal static string AppHostDirectoryOf(Assembly? appHost) =>
        appHost?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "AppHostProjectDirectory")?.Value
        ?? AppContext.BaseDirectory;

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex ResourceName();
}
