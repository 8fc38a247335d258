using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dedao.AppHost;

internal static class AppModelExtensions
{
    private const int DefaultJitCallCountThreshold = 256;

    /// <summary>
    /// A Dedao service: it references and waits for its database and backing servers, reports health, and comes back
    /// after a crash. Its endpoint is proxyless unless <c>AppHost:ProxyServices</c> is true: one instance needs no DCP
    /// proxy, and every call through the gateway saves that hop (bench/gateway.sh measures both).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name,
        params IResourceBuilder<IResourceWithConnectionString>[] dependencies) where TProject : IProjectMetadata, new()
    {
        var service = builder.AddProject<TProject>(name)
            .RunFromBuildOutput()
            .WithHttpEndpoint(name: "http", isProxied: builder.Configuration.GetValue("AppHost:ProxyServices", false))
            .WithHttpHealthCheck("/health")
            .WithRestartOnCrash();
        // Every trace by default, as a developer wants to see; a load test asks for a fraction, as production would.
        if (builder.Configuration.GetValue<double?>("AppHost:TraceSampleRatio") is { } ratio)
        {
            service.WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
                .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", ratio.ToString(CultureInfo.InvariantCulture));
        }

        // Development exports every second, so the dashboard is live; a load test asks for production's pace, since every
        // export of every service's metrics takes CPU from the service being measured.
        if (builder.Configuration.GetValue<TimeSpan?>("AppHost:TelemetryExportInterval") is { } interval)
        {
            var milliseconds = ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            service.WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", milliseconds)
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", milliseconds)
                .WithEnvironment("OTEL_BLRP_SCHEDULE_DELAY", milliseconds);
        }

        // The JIT compiles a method again, optimized, once it has run 30 times. A start runs thousands of methods that often
        // and never again (configuration, DI, EF's model), and every service went on compiling them for half a minute
        // after it was healthy, all at once on two cores: the first requests spent their budgets (bench/first-requests.sh).
        // Too high a count keeps a request's path unoptimized for long: at 4,096, a method run once a purchase waits for the
        // 4,096th, and between the 1,150th and the 2,300th purchase the JIT still took a tenth of order's and pay's CPU;
        // at 256, 29.0 purchases a second against 17.3 back to back, with first requests as quick (bench/purchases.sh,
        // first-requests.sh). Delaying the count instead (DOTNET_TC_CallCountingDelayMs, 2 s) did not work: under load a
        // service still compiles a rare new method every second or two, each restarts the delay, and purchases got slower
        // (14.7/s). The runtime reads the value as hexadecimal.
        if (builder.Configuration.GetValue("AppHost:JitCallCountThreshold", DefaultJitCallCountThreshold) is > 0 and var threshold)
        {
            service.WithEnvironment("DOTNET_TC_CallCountThreshold", threshold.ToString("X", CultureInfo.InvariantCulture));
        }

        foreach (var dependency in dependencies)
        {
            service.WithReference(dependency).WaitFor(dependency);
        }

        return service;
    }

    /// <summary>The gateway's one public endpoint, on its fixed port (0: any free port, as tests ask).</summary>
    public static IResourceBuilder<ProjectResource> WithGatewayEndpoint(this IResourceBuilder<ProjectResource> gateway, int port) =>
        gateway.WithEndpoint("http", endpoint => endpoint.Port = port == 0 ? null : port).WithExternalHttpEndpoints();

    /// <summary>
    /// Two or more instances behind DCP's round-robin proxy (so the endpoint is proxied whatever <c>AppHost:ProxyServices</c>
    /// says); the multi-level cache's backplane keeps their in-process copies in step.
    /// </summary>
    /// <remarks>One replica keeps the service as <see cref="AddService{TProject}"/> made it (bench/cache.sh measures it without the proxy).</remarks>
    public static IResourceBuilder<ProjectResource> WithProxiedReplicas(this IResourceBuilder<ProjectResource> service, int replicas) =>
        replicas <= 1 ? service : service.WithReplicas(replicas).WithEndpoint("http", endpoint => endpoint.IsProxied = true);
}
