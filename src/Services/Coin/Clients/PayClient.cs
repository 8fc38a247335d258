namespace Dedao.Coin.Clients;

/// <summary>Pay's internal top-up call, on the user's own token: pay opens the sandbox payment a top-up is paid by.</summary>
public sealed class PayClient(HttpClient http)
{
    public async Task<long> CreateTopupPaymentAsync(long topupId, long amountFen, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/internal/payments/topups", new { topupId, amountFen }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var payment = await response.Content.ReadFromJsonAsync<TopupPayment>(cancellationToken)
            ?? throw new HttpRequestException("pay answered no payment");
        return payment.PaymentId;
    }

    private sealed record TopupPayment(long PaymentId);
}
