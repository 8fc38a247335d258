using System.Net;

namespace Dedao.Pay.Clients;

public enum CoinDebit
{
    /// <summary>The coins are taken, now or by an earlier try of the same payment.</summary>
    Taken,
    InsufficientBalance,
    /// <summary>Coin holds a debit under this payment's id for another wallet or amount: nothing is taken for it.</summary>
    Conflict,
}

/// <summary>Coin's debit, on the user's own token; the payment id makes a repeat take nothing more.</summary>
public sealed class CoinClient(HttpClient http)
{
    public async Task<CoinDebit> DebitAsync(long paymentId, long amountFen, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/internal/coins/debits", new { paymentId, amountFen }, cancellationToken);
        switch (response.StatusCode)
        {
            case HttpStatusCode.PaymentRequired:
                return CoinDebit.InsufficientBalance;
            case HttpStatusCode.Conflict:
                return CoinDebit.Conflict;
            default:
                response.EnsureSuccessStatusCode();
                return CoinDebit.Taken;
        }
    }
}
