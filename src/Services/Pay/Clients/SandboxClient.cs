namespace Dedao.Pay.Clients;

/// <summary>The sandbox provider: what the customer's "pay" or "cancel" at the outside company would do.</summary>
public sealed class SandboxClient(HttpClient http)
{
    public async Task ConfirmAsync(long paymentId, long amountFen, string result, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"/charges/{paymentId}/confirm", new { amountFen, result }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Gives a payment's money back at the provider, which makes one refund per payment however often it is asked.</summary>
    public async Task RefundAsync(long paymentId, long amountFen, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"/charges/{paymentId}/refund", new { amountFen }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
