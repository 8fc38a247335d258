using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Dedao.Testing;

/// <summary>App models for tests, always on fresh state deleted at the end and on free ports.</summary>
public static class TestAppModel
{
    /// <summary>The whole platform, exactly as <c>AppHost/Program.cs</c> builds it.</summary>
    public static Task<IDistributedApplicationTestingBuilder> CreatePlatformAsync(params string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.Dedao_AppHost>(["--AppHost:Ephemeral=true", "--AppHost:GatewayPort=0", .. args]);

    /// <summary>An empty model on the AppHost's DCP, for tests that start only the resources they need.</summary>
    public static IDistributedApplicationTestingBuilder CreateEmpty(params string[] args) =>
        DistributedApplicationTestingBuilder.Create(["--AppHost:Ephemeral=true", .. args]);
}
