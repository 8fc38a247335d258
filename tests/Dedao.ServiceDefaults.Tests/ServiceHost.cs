using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Dedao.ServiceDefaults.Tests;

/// <summary>Hosts as a service builds them, minus the defaults that would read this machine's environment (CI may set ConnectionStrings__*).</summary>
internal static class ServiceHost
{
    public static HostApplicationBuilder CreateBuilder() =>
        Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });

    public static async Task<HealthReport> HealthAsync(this IHost host) =>
        await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    /// <summary>A loopback port nothing listens on: a server that is away, or one to start there.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
