using System.Net;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Dedao.Pay.Clients;

/// <summary>Reads an order from order on the user's own token, so order itself answers whether it is theirs.</summary>
public sealed class OrderClient(HttpClient http, IOptions<JsonOptions> json)
{
    /// <returns>The order, or null when it is not the user's (or does not exist).</returns>
    public async Task<OrderView?> GetAsync(long orderId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/api/v1/orders/{orderId}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<OrderView>(json.Value.SerializerOptions, cancellationToken);
    }
}

public sealed record OrderView(long OrderId, long AmountFen, string Status, DateTime ExpiresAt)
{
    public bool IsPayable(DateTime now) => Status == "pending" && ExpiresAt > now;
}
