using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

internal static class ConnectionHealthCheckExtensions
{
    /// <summary>
    /// A health check that reaches the server with its own connection string, known once Aspire has allocated the
    /// endpoints; <paramref name="register"/> adds the check under the given key with a way to read that string.
    /// </summary>
    public static IResourceBuilder<T> WithConnectionHealthCheck<T>(this IResourceBuilder<T> builder,
        Action<IHealthChecksBuilder, string, Func<string>> register) where T : IResourceWithConnectionString
    {
        var key = $"{builder.Resource.Name}_check";
        string? connectionString = null;
        builder.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(builder.Resource, async (_, ct) =>
            connectionString = await builder.Resource.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false));
        register(builder.ApplicationBuilder.Services.AddHealthChecks(), key,
            () => connectionString ?? throw new InvalidOperationException($"The connection string of '{builder.Resource.Name}' is not known yet."));
        return builder.WithHealthCheck(key);
    }
}
