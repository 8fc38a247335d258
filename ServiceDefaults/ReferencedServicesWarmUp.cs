using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Asks every service this one references (<c>services:&lt;name&gt;</c>, as the AppHost's WithReference writes it) for
/// <c>/alive</c>, through the stack every HTTP client here shares: handler, resilience pipeline, service discovery and a
/// first connection. A service that is not up yet is skipped: it is warm for its own first caller soon enough.
/// </summary>
internal sealed class ReferencedServicesWarmUp(IConfiguration configuration, IHttpClientFactory clients,
    ILogger<ReferencedServicesWarmUp> logger) : IWarmUp
{
    private static readonly TimeSpan EachCallAtMost = TimeSpan.FromSeconds(2);

    public Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(nameof(ReferencedServicesWarmUp));
        return Task.WhenAll(configuration.GetSection("services").GetChildren().Select(service => AskAsync(http, service.Key, cancellationToken)));
    }

    private async Task AskAsync(HttpClient http, string service, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(EachCallAtMost);
        try
        {
            using var response = await http.GetAsync($"http://{service}/alive", timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(e, "{Service} did not answer the warm-up", service);
        }
    }
}
