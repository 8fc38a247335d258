using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire's service defaults: telemetry, health, service discovery and resilience, plus what the platform's API
/// contract asks of every service. The client integrations add their own traces, metrics and health checks.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddDefaultProblemDetails();
        builder.Services.AddDependencyTimeouts(builder.Configuration.GetValue<TimeSpan?>(DependencyTimeouts.RequestBudgetKey));
        // api.md's JSON is camelCase throughout, enum values included ("pending", "topup"). Only the names: a number would
        // pick a member by its place in our code, so 0 for a channel would mean "coin" to us and anything to a client.
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false)));
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.Services.AddWarmUp<ReferencedServicesWarmUp>();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        // The Redis client narrates every connection at Information (elections, heartbeats); its warnings are what matter.
        builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Warning);
        // EF logs every command at Information: one formatted line per query, on the console and to the dashboard, cost
        // more than the query under load, and each command is already a span of its trace.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
        // The same for every call between services: four lines from the HTTP client and one from Polly per attempt, each
        // already a span with its status and duration. Retries, timeouts and an opening circuit are warnings and still logged.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        // W3C trace context only: ASP.NET Core and HttpClient already carry traceparent themselves, and with OTel's default
        // (trace context and baggage) its ASP.NET Core instrumentation extracted both again on every request and set
        // Baggage.Current, an async-local write, even for requests the sampler drops. Nothing here uses OTel baggage.
        Sdk.SetDefaultTextMapPropagator(new TraceContextPropagator());
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                    // Health probes every second would drown the real traffic.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        builder.AddOpenTelemetryExporters();
        return builder;
    }

    /// <summary>OTLP, to the Aspire dashboard, whenever the AppHost (or an operator) names an endpoint.</summary>
    private static TBuilder AddOpenTelemetryExporters<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.AddWarmUpRunner();
        return builder;
    }

    /// <summary>
    /// <c>/health</c> (everything, dependencies included) and <c>/alive</c> (the process). Mapped in every environment,
    /// unlike the template, since the AppHost waits on <c>/health</c>; terse on purpose, so no dependency detail leaks.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live"),
        }).AllowAnonymous();
        return app;
    }
}
