using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dedao.AppHost;

/// <summary>
/// Dashboard commands that call a service's own <c>/internal</c> route as the service itself (its
/// <see cref="ServiceIdentityAnnotation"/>): the gateway does not route <c>/internal</c>, and only a service's token passes there.
/// </summary>
internal static class ServiceCommands
{
    /// <summary>Drops every cached copy the service holds, on each replica and in Redis (Dedao.Caching's <c>MapCacheFlush</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithCacheFlushCommand(this IResourceBuilder<ProjectResource> service) =>
        service.WithCommand("flush-caches", "Flush caches", context => CallAsServiceAsync(service, HttpMethod.Post, "/internal/cache/flush",
            TimeSpan.FromSeconds(10), (status, body) => status is HttpStatusCode.OK
                ? new ExecuteCommandResult { Success = true, Message = $"Flushed: {body}" }
                : CommandResults.Failure($"The flush answered {(int)status}: {body}"),
            context.CancellationToken), new CommandOptions
        {
            Description = "Drops every cached copy on every replica and in Redis; the next reads go to MySQL",
            ConfirmationMessage = "Flush every cache of this service?",
            IconName = "ArrowClockwise",
            UpdateState = WhenHealthy,
        });

    /// <summary>
    /// Coin's audit of its books (<c>GET /internal/books</c>): every wallet against its ledger, and every top-up and refund
    /// against its entries. It succeeds when they balance, and names what does not otherwise.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBooksCheckCommand(this IResourceBuilder<ProjectResource> coin) =>
        coin.WithCommand("check-books", "Check the books", context => CallAsServiceAsync(coin, HttpMethod.Get, "/internal/books",
            TimeSpan.FromMinutes(3), (status, body) => status is HttpStatusCode.OK
                ? BooksResult(body)
                : CommandResults.Failure($"The check answered {(int)status}: {body}"),
            context.CancellationToken), new CommandOptions
        {
            Description = "Reads every wallet and ledger entry from one snapshot: balances against their ledger, top-ups and refunds against their entries",
            IconName = "ReceiptMoney",
            UpdateState = WhenHealthy,
        });

    private static ResourceCommandState WhenHealthy(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;

    private static async Task<ExecuteCommandResult> CallAsServiceAsync(IResourceBuilder<ProjectResource> service, HttpMethod method, string path,
        TimeSpan timeout, Func<HttpStatusCode, string, ExecuteCommandResult> answer, CancellationToken cancellationToken)
    {
        if (!service.Resource.TryGetLastAnnotation<ServiceIdentityAnnotation>(out var identity))
        {
            return CommandResults.Failure($"{service.Resource.Name} has no service identity to call itself with (WithServiceIdentity).");
        }

        using var http = new HttpClient { Timeout = timeout };
        using var request = new HttpRequestMessage(method, new Uri(new Uri(service.GetEndpoint("http").Url), path));
        request.Headers.Authorization = new("Bearer", await identity.RequestTokenAsync(http, cancellationToken).ConfigureAwait(false));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return answer(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    private static ExecuteCommandResult BooksResult(string body)
    {
        using var report = JsonDocument.Parse(body);
        var root = report.RootElement;
        var counts = string.Create(CultureInfo.InvariantCulture,
            $"{root.GetProperty("wallets").GetInt64()} wallets, {root.GetProperty("entries").GetInt64()} ledger entries");
        if (root.GetProperty("balanced").GetBoolean())
        {
            return new ExecuteCommandResult { Success = true, Message = $"The books balance: {counts}." };
        }

        var found = new StringBuilder($"The books do not balance ({counts}):");
        foreach (var (property, what) in new[]
                 {
                     ("unbalancedWallets", "wallets not the sum of their ledger"),
                     ("brokenEntries", "ledger entries whose balance does not follow the one before"),
                     ("unmatchedTopups", "top-ups without their one credit"),
                     ("unmatchedRefunds", "refunds without the purchase they give back"),
                 })
        {
            var discrepancy = root.GetProperty(property);
            if (discrepancy.GetProperty("count").GetInt64() is > 0 and var count)
            {
                var examples = string.Join(", ", discrepancy.GetProperty("examples").EnumerateArray().Select(e => e.GetString()));
                found.Append(CultureInfo.InvariantCulture, $" {what}: {count} ({examples});");
            }
        }

        return CommandResults.Failure(found.ToString().TrimEnd(';') + ".");
    }
}
