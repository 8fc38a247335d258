using System.Text.Json;
using Dedao.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Dedao.Messaging;

/// <summary>Adds the service's subscriptions: each event to its own durable queue <c>&lt;service&gt;.&lt;event&gt;</c>.</summary>
public sealed class EventBusBuilder(IServiceCollection services, string serviceName)
{
    public IServiceCollection Services { get; } = services;

    public string ServiceName { get; } = serviceName;

    /// <summary>Handles <typeparamref name="TEvent"/> with a <typeparamref name="THandler"/> from a fresh scope per message.</summary>
    public EventBusBuilder Subscribe<TEvent, THandler>()
        where TEvent : IIntegrationEvent
        where THandler : class, IEventHandler<TEvent>
    {
        Services.AddScoped<THandler>();
        Services.AddSingleton(new Subscription(
            TEvent.EventName,
            EventBusTopology.Queue(ServiceName, TEvent.EventName),
            body => JsonSerializer.Deserialize<TEvent>(body.Span, EventMessage.JsonOptions),
            @event => THandler.Wants((TEvent)@event),
            (scope, @event, context, ct) => scope.GetRequiredService<THandler>().HandleAsync((TEvent)@event, context, ct)));
        return this;
    }
}
