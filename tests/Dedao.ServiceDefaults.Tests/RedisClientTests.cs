using Dedao.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Dedao.ServiceDefaults.Tests;

[Collection(BackingServers.Name)]
public sealed class RedisClientTests(BackingServersFixture servers)
{
    // Aspire.StackExchange.Redis names its health check so.
    private const string HealthCheckName = "StackExchange.Redis";

    [Fact]
    public async Task One_shared_multiplexer_talks_to_redis_and_reports_healthy()
    {
        var builder = servers.CreateServiceBuilder();
        builder.AddRedisClient("redis");
        using var host = builder.Build();

        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
        Assert.Same(redis, host.Services.GetRequiredService<IConnectionMultiplexer>());
        var key = $"test:{Guid.NewGuid():N}";
        await redis.GetDatabase().StringSetAsync(key, "value", TimeSpan.FromMinutes(1));

        Assert.Equal("value", (string?)await redis.GetDatabase().StringGetAsync(key));
        Assert.Equal(HealthStatus.Healthy, (await host.HealthAsync()).Entries[HealthCheckName].Status);
    }

    [Fact]
    public async Task Redis_being_away_does_not_fail_startup_and_shows_in_health()
    {
        var builder = ServiceHost.CreateBuilder();
        builder.Configuration["ConnectionStrings:redis"] =
            $"127.0.0.1:{ServiceHost.FreePort()},connectTimeout=500,syncTimeout=500,asyncTimeout=500";
        builder.AddRedisClient("redis");
        // Traced, as in a service, so the Redis instrumentation takes part in the start.
        TelemetryCapture.AddTo(builder);
        using var host = builder.Build();
        await host.StartAsync();

        // The gateway's rate limiter and passport start and degrade when Redis is away (AbortOnConnectFail=false).
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();

        Assert.False(redis.IsConnected);
        Assert.Equal(HealthStatus.Unhealthy, (await host.HealthAsync()).Entries[HealthCheckName].Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task Redis_commands_are_traced()
    {
        var builder = servers.CreateServiceBuilder();
        builder.AddRedisClient("redis");
        var telemetry = TelemetryCapture.AddTo(builder);
        using var host = builder.Build();
        await host.StartAsync();

        await host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase()
            .StringSetAsync($"test:{Guid.NewGuid():N}", "traced", TimeSpan.FromMinutes(1));

        // The instrumentation turns profiled commands into spans on its own flush interval.
        await Poll.UntilAsync(() => telemetry.Activities.Any(activity => activity.DisplayName == "SETEX"), TimeSpan.FromSeconds(30),
            () => $"no SETEX span among [{string.Join(", ", telemetry.Activities.Select(a => $"{a.Source.Name}/{a.DisplayName}"))}]");
        await host.StopAsync();
    }

    [Fact]
    public void A_missing_connection_string_names_the_key_to_set()
    {
        var builder = ServiceHost.CreateBuilder();
        builder.AddRedisClient("redis");
        using var host = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IConnectionMultiplexer>());

        Assert.Contains("ConnectionStrings:redis", error.Message, StringComparison.Ordinal);
    }
}
