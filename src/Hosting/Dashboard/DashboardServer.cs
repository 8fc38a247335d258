using System.Net;
using System.Text;
using Dedao.Hosting.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dedao.Hosting.Dashboard;

/// <summary>
/// The AppHost's dashboard: the resource API, recent console output of each resource, a page for people, and the
/// OTLP/HTTP endpoint every project exports its telemetry to.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<DashboardServer> StartAsync(int port, ResourceNotificationService resources,
        CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
        });
        builder.Services.AddSingleton(resources);
        builder.Services.AddSingleton<TelemetryReceiver>();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.WriteIndented = true);

        var app = builder.Build();
        app.MapResourcesApi();
        app.MapTelemetryReceiver();
        app.MapGet("/", (ResourceNotificationService notifications) =>
            TypedResults.Content(ResourcesPage.Render(notifications.Snapshots()), "text/html", Encoding.UTF8));
        await app.StartAsync(cancellationToken);
        return new DashboardServer(app, $"http://localhost:{port}");
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
