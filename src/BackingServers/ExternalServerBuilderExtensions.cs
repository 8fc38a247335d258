using Microsoft.Extensions.Configuration;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

internal static class ExternalServerBuilderExtensions
{
    /// <summary>The value of <c>ConnectionStrings:&lt;name&gt;</c>, as a secret parameter of the model.</summary>
    public static ParameterResource ConnectionStringParameter(this IDistributedApplicationBuilder builder, string name) =>
        new($"{name}-connection-string", _ => builder.Configuration.GetConnectionString(name)
            ?? throw new DistributedApplicationException($"ConnectionStrings:{name} is not set."), secret: true);

    /// <summary>
    /// An external server is Running as soon as the model starts and Healthy once its health check reaches it, so
    /// <c>WaitFor</c> on it means what it means for a server the AppHost runs.
    /// </summary>
    public static IResourceBuilder<T> AddExternalServer<T>(this IDistributedApplicationBuilder builder, T server)
        where T : ExternalServerResource =>
        builder.AddResource(server)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "ExternalServer",
                State = KnownResourceStates.NotStarted,
                Properties = [],
            })
            .OnInitializeResource(async (resource, @event, ct) =>
            {
                await @event.Eventing.PublishAsync(new BeforeResourceStartedEvent(resource, @event.Services), ct).ConfigureAwait(false);
                await @event.Notifications.PublishUpdateAsync(resource, snapshot => snapshot with { State = KnownResourceStates.Running })
                    .ConfigureAwait(false);
                await @event.Eventing.PublishAsync(new ConnectionStringAvailableEvent(resource, @event.Services), ct).ConfigureAwait(false);
            });
}
