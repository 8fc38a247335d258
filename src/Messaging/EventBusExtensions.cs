using Dedao.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

public static class EventBusExtensions
{
    /// <summary>
    /// The outbox relay of <typeparamref name="TContext"/> and the consumers added with <see cref="EventBusBuilder.Subscribe"/>,
    /// on the <see cref="RabbitMQ.Client.IConnection"/> that <c>AddRabbitMQClient("messaging")</c> registers.
    /// </summary>
    /// <param name="serviceName">Prefixes the service's queues: <c>column</c> consumes <c>order.paid</c> from <c>column.order.paid</c>.</param>
    public static EventBusBuilder AddEventBus<TContext>(this IHostApplicationBuilder builder, string serviceName,
        Action<EventBusOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        var options = builder.Services.AddOptions<EventBusOptions>().BindConfiguration("EventBus");
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<MessagingTelemetry>();
        builder.Services.AddSingleton<OutboxHandOff>();
        builder.Services.AddSingleton<OutboxInterceptor>();
        // Singleton, as a pooled context's options are.
        builder.Services.ConfigureDbContext<TContext>((sp, db) => db.AddInterceptors(sp.GetRequiredService<OutboxInterceptor>()),
            ServiceLifetime.Singleton);
        builder.Services.AddHostedService<OutboxRelay<TContext>>();
        builder.Services.AddWarmUp<OutboxWarmUp<TContext>>();
        builder.Services.AddSingleton<EventConsumer<TContext>>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EventConsumer<TContext>>());
        builder.Services.AddHealthChecks().AddCheck<EventConsumer<TContext>>("event-consumers");
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(MessagingTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(MessagingTelemetry.Name));
        return new EventBusBuilder(builder.Services, serviceName);
    }
}
