using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dedao.Testing;

/// <summary>
/// App models for tests, always on fresh state deleted at the end and on free ports. When <c>DEDAO_RESOURCE_LOGS</c> names
/// a folder (<c>eng/test.sh</c> sets it), every resource's console is kept there, a folder per model.
/// </summary>
public static class TestAppModel
{
    private static int s_models;

    /// <summary>The whole platform, exactly as <c>AppHost/Program.cs</c> builds it.</summary>
    public static async Task<IDistributedApplicationTestingBuilder> CreatePlatformAsync(params string[] args) =>
        KeepResourceLogs(await DistributedApplicationTestingBuilder.CreateAsync<Projects.Dedao_AppHost>(
            ["--AppHost:Ephemeral=true", "--AppHost:GatewayPort=0", .. args]));

    /// <summary>An empty model on the AppHost's DCP, for tests that start only the resources they need.</summary>
    public static IDistributedApplicationTestingBuilder CreateEmpty(params string[] args) =>
        KeepResourceLogs(DistributedApplicationTestingBuilder.Create(["--AppHost:Ephemeral=true", .. args]));

    /// <summary>Writes each resource instance's console to <c>&lt;folder&gt;/&lt;instance&gt;.log</c> (<see cref="ResourceLogArchive"/>).</summary>
    public static IDistributedApplicationTestingBuilder KeepResourceLogs(this IDistributedApplicationTestingBuilder builder, string folder)
    {
        // Run by the app, so that its stop closes the files. Not AddHostedService: it keeps one service of a type, and a
        // test that keeps its own archive (into its own folder) runs beside the one DEDAO_RESOURCE_LOGS asks for.
        builder.Services.AddSingleton<IHostedService>(services => new ResourceLogArchive(folder,
            services.GetRequiredService<ResourceNotificationService>(), services.GetRequiredService<ResourceLoggerService>()));
        return builder;
    }

    private static IDistributedApplicationTestingBuilder KeepResourceLogs(IDistributedApplicationTestingBuilder builder) =>
        Environment.GetEnvironmentVariable(ResourceLogArchive.FolderVariable) is { Length: > 0 } root
            ? builder.KeepResourceLogs(Path.Combine(root, TestAssemblyName(), $"model-{Interlocked.Increment(ref s_models)}"))
            : builder;

    // A test host loads one test assembly, and ours are all named *.Tests.
    private static string TestAssemblyName() =>
        AppDomain.CurrentDomain.GetAssemblies().Select(assembly => assembly.GetName().Name)
            .FirstOrDefault(name => name?.EndsWith(".Tests", StringComparison.Ordinal) == true) ?? $"process-{Environment.ProcessId}";
}
