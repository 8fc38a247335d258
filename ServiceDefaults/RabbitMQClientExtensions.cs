using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Polly;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Microsoft.Extensions.Hosting;

/// <summary>Aspire's <c>AddRabbitMQClient</c>: one shared connection, opened with retries, a health check and tracing.</summary>
public static class RabbitMQClientExtensions
{
    public static void AddRabbitMQClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set: reference the '{connectionName}' resource from the AppHost or set it in configuration.");

        var factory = new ConnectionFactory
        {
            Uri = new Uri(connectionString),
            ClientProvidedName = builder.Environment.ApplicationName,
            AutomaticRecoveryEnabled = true,
        };

        var connect = new ResiliencePipelineBuilder()
            .AddRetry(new()
            {
                ShouldHandle = new PredicateBuilder().Handle<BrokerUnreachableException>().Handle<System.Net.Sockets.SocketException>(),
                MaxRetryAttempts = 5,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(500),
            })
            .Build();

        // RabbitMQ.Client 7 only connects asynchronously; the singleton is created once, on first use.
        builder.Services.AddSingleton<IConnection>(_ => connect
            .ExecuteAsync(async token => await factory.CreateConnectionAsync(token))
            .AsTask().GetAwaiter().GetResult());
        builder.Services.AddHealthChecks().AddRabbitMQ(name: connectionName);
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource("RabbitMQ.Client.Publisher")
            .AddSource("RabbitMQ.Client.Subscriber"));
    }
}
