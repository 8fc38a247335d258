using System.Net;

namespace Dedao.Pay.Clients;

/// <summary>The provider's record of a payment: the customer's last answer, and its transaction.</summary>
public sealed record SandboxCharge(long PaymentId, long AmountFen, string Result, string TransactionId);

/// <summary>The sandbox provider: what the customer's "pay" or "cancel" at the outside company would do.</summary>
public sealed class SandboxClient(HttpClient http)
{
    public async Task ConfirmAsync(long paymentId, long amountFen, string result, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"/charges/{paymentId}/confirm", new { amountFen, result }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <returns>The provider's record of the payment; null while the customer has neither paid nor declined.</returns>
    public async Task<SandboxCharge?> FindChargeAsync(long paymentId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"/charges/{paymentId}", UriKind.Relative), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<SandboxCharge>(cancellationToken);
    }

    /// <summary>Gives a payment's money back at the provider, which makes one refund per payment however often it is asked.</summary>
    public async Task RefundAsync(long paymentId, long amountFen, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"/charges/{paymentId}/refund", new { amountFen }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
