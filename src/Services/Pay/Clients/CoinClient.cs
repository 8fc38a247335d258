using System.Net;

namespace Dedao.Pay.Clients;

/// <summary>Coin's debit, on the user's own token; the payment id makes a repeat take nothing more.</summary>
public sealed class CoinClient(HttpClient http)
{
    /// <returns>True when the coins are taken (now or before), false when the wallet holds too few.</returns>
    public async Task<bool> DebitAsync(long paymentId, long amountFen, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/internal/coins/debits", new { paymentId, amountFen }, cancellationToken);
        if (response.StatusCode == HttpStatusCode.PaymentRequired)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }
}
