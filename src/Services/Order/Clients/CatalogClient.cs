using System.Net;
using Dedao.Order.Data;

namespace Dedao.Order.Clients;

/// <summary>The price of a product, from column or course by discovery name: an order never takes the client's.</summary>
public sealed class CatalogClient(HttpClient http)
{
    /// <summary>Column's and course's answer is fast or useless: the whole ask, retries included, fits the gateway's 2 s.</summary>
    public static void ConfigureResilience(Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions options)
    {
        options.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(400);
        options.TotalRequestTimeout.Timeout = TimeSpan.FromMilliseconds(1500);
        options.Retry.MaxRetryAttempts = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
        options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(5);
    }

    /// <returns>The product's price, or null when the catalog does not know it.</returns>
    public async Task<CatalogPrice?> GetPriceAsync(ProductType type, long productId, CancellationToken cancellationToken)
    {
        var uri = type == ProductType.Column ? $"http://column/api/v1/columns/{productId}" : $"http://course/api/v1/courses/{productId}";
        using var response = await http.GetAsync(uri, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<CatalogPrice>(cancellationToken);
    }
}

public sealed record CatalogPrice(long PriceFen, bool IsFree);
