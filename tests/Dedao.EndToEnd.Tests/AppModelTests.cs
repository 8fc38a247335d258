using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Dedao.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dedao.EndToEnd.Tests;

/// <summary>The AppHost's model as built, without running it.</summary>
public sealed class AppModelTests
{
    [Fact]
    public async Task Each_service_starts_from_its_build_output_in_its_project_folder()
    {
        var services = await ProjectsAsync();

        Assert.Equal(PlatformResources.Services.Append("pay-sandbox").Order(), services.Select(p => p.Name).Order());
        Assert.All(services, service =>
        {
            var launch = Assert.Single(service.Annotations.OfType<ExecutableAnnotation>());
            Assert.True(File.Exists(launch.Command), $"{service.Name} would start {launch.Command}, which is not there");
            Assert.Equal(Path.GetDirectoryName(service.GetProjectMetadata().ProjectPath), launch.WorkingDirectory);
        });
    }

    /// <summary><c>dotnet watch</c> rebuilds and restarts a service on a change, which only Aspire's own launch does.</summary>
    [Fact]
    public async Task Under_dotnet_watch_each_service_keeps_aspire_s_own_launch()
    {
        var services = await ProjectsAsync("--DOTNET_WATCH=1");

        Assert.NotEmpty(services);
        Assert.All(services, service => Assert.Empty(service.Annotations.OfType<ExecutableAnnotation>()));
    }

    /// <summary>A publish describes each project as it is; where its build output was on this machine is nobody else's business.</summary>
    [Fact]
    public async Task A_publish_keeps_aspire_s_own_launch()
    {
        var services = await ProjectsAsync("--operation", "publish");

        Assert.NotEmpty(services);
        Assert.All(services, service => Assert.Empty(service.Annotations.OfType<ExecutableAnnotation>()));
    }

    private static async Task<IReadOnlyList<ProjectResource>> ProjectsAsync(params string[] args)
    {
        var builder = await TestAppModel.CreatePlatformAsync(args);
        // Built, never started: its ephemeral state folder goes when this process exits.
        await using var app = await builder.BuildAsync();
        return [.. app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>()];
    }
}
