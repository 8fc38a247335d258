using Duende.IdentityModel.Client;

namespace Dedao.AppHost;

/// <summary>
/// A service's client credentials at passport, kept on the service so a dashboard command can call it as the service
/// itself. The secret is generated once per service and kept in the state folder, or comes from
/// <c>Parameters:&lt;service&gt;-client-secret</c>.
/// </summary>
internal sealed record ServiceIdentityAnnotation(string ClientId, ParameterResource Secret, EndpointReference Passport) : IResourceAnnotation
{
    /// <summary>Passport's client-credentials endpoint (ServiceDefaults' <c>ServiceIdentity.TokenPath</c>).</summary>
    private const string TokenPath = "/internal/connect/token";

    public async Task<string> RequestTokenAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var response = await http.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
        {
            Address = new Uri(new Uri(Passport.Url), TokenPath).ToString(),
            ClientId = ClientId,
            ClientSecret = await Secret.GetValueAsync(cancellationToken).ConfigureAwait(false),
        }, cancellationToken).ConfigureAwait(false);
        return response.AccessToken is { Length: > 0 } token && !response.IsError
            ? token
            : throw new InvalidOperationException($"Passport gave {ClientId} no token: {response.Error}");
    }
}

internal static class ServiceIdentityExtensions
{
    /// <summary>
    /// The service checks access tokens against passport's keys, found by its discovery name, and gets a token of its own
    /// there (OAuth client credentials) for the calls it makes on nobody's behalf.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithServiceIdentity(this IResourceBuilder<ProjectResource> service,
        IResourceBuilder<ProjectResource> passport)
    {
        var clientId = service.Resource.Name;
        var secret = GeneratedSecretBuilderExtensions.CreateGeneratedSecret(service.ApplicationBuilder, $"{clientId}-client-secret");
        passport.WithEnvironment(context => context.EnvironmentVariables[$"Passport__Clients__{clientId}"] = secret);
        return service.WithReference(passport)
            .WithEnvironment("ServiceIdentity__ClientId", clientId)
            .WithEnvironment(context => context.EnvironmentVariables["ServiceIdentity__ClientSecret"] = secret)
            .WithAnnotation(new ServiceIdentityAnnotation(clientId, secret, passport.GetEndpoint("http")));
    }
}
