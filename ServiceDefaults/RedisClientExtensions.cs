using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Aspire's <c>AddRedisClient</c>: one shared multiplexer that reconnects by itself, a health check and tracing.</summary>
public static class RedisClientExtensions
{
    public static void AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set: reference the '{connectionName}' resource from the AppHost or set it in configuration.");

        var options = ConfigurationOptions.Parse(connectionString);
        // Keep retrying in the background instead of failing start-up when Redis is briefly away.
        options.AbortOnConnectFail = false;

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().AddRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>(), name: connectionName);
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddRedisInstrumentation());
    }
}
