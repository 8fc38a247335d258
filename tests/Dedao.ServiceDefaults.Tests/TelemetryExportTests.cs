using Dedao.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dedao.ServiceDefaults.Tests;

public sealed class TelemetryExportTests
{
    [Fact]
    public async Task A_service_exports_logs_traces_and_metrics_to_the_OTLP_endpoint_the_AppHost_names()
    {
        using var dashboard = new OtlpReceiver();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = dashboard.Endpoint;
        builder.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        // What the AppHost sets for a service, so exports do not wait for the default intervals.
        builder.Configuration["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        builder.Configuration["OTEL_BLRP_SCHEDULE_DELAY"] = "200";
        builder.Configuration["OTEL_METRIC_EXPORT_INTERVAL"] = "200";
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapGet("/hello", (ILoggerFactory logs) =>
        {
            logs.CreateLogger("Hello").LogInformation("Said hello");
            return "hello";
        }).AllowAnonymous();
        app.MapDefaultEndpoints();
        await app.StartAsync();

        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        Assert.Equal("hello", await client.GetStringAsync(new Uri("/hello", UriKind.Relative)));

        string[] expected = ["/v1/logs", "/v1/traces", "/v1/metrics"];
        await Poll.UntilAsync(() => expected.All(dashboard.Paths.Contains), TimeSpan.FromSeconds(30),
            () => $"exports reached only [{string.Join(", ", dashboard.Paths)}]");
        await app.StopAsync();
    }
}
