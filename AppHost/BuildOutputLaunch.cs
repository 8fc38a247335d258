using System.Reflection;

namespace Dedao.AppHost;

internal static class BuildOutputLaunch
{
    private const string MetadataPrefix = "ServiceTargetPath:";

    /// <summary>Each service's built assembly, by project path: written into this assembly by the csproj's EmbedServiceTargetPaths.</summary>
    private static readonly Dictionary<string, string> TargetPaths = typeof(BuildOutputLaunch).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Where(a => a.Key.StartsWith(MetadataPrefix, StringComparison.Ordinal) && a.Value is not null)
        .ToDictionary(a => a.Key[MetadataPrefix.Length..], a => a.Value!, StringComparer.Ordinal);

    /// <summary>
    /// Starts the project as the executable its build wrote, from its project folder as <c>dotnet run</c> would. Aspire's
    /// <c>dotnet run --no-build</c> evaluates the project again at every start: about 5 CPU-seconds and 140 MB a service,
    /// a third of what the platform's start costs on two cores. The AppHost's build has just built every service, so
    /// there is nothing for <c>dotnet run</c> to add; without a build output (or under <c>dotnet watch</c>) it stays. A
    /// publish describes the project as it is.
    /// </summary>
    public static IResourceBuilder<ProjectResource> RunFromBuildOutput(this IResourceBuilder<ProjectResource> service)
    {
        var projectPath = service.Resource.GetProjectMetadata().ProjectPath;
        var watch = service.ApplicationBuilder.Configuration["DOTNET_WATCH"];
        // dotnet watch sets 1, which the configuration binder would not take for a bool.
        var watching = watch is "1" || string.Equals(watch, bool.TrueString, StringComparison.OrdinalIgnoreCase);
        var starting = service.ApplicationBuilder.ExecutionContext.IsRunMode && !watching;
        if (!starting || !TargetPaths.TryGetValue(projectPath, out var assembly))
        {
            return service;
        }

        var executable = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        return File.Exists(executable)
            ? service.WithAnnotation(new ExecutableAnnotation { Command = executable, WorkingDirectory = Path.GetDirectoryName(projectPath)! })
            : service;
    }
}
