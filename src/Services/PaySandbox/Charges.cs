using System.Collections.Concurrent;

namespace Dedao.PaySandbox;

/// <summary>A payment as the provider holds it: what the customer did last, and the transaction that records it.</summary>
public sealed record Charge(long PaymentId, long AmountFen, string Result, string TransactionId);

/// <summary>
/// The provider's charges, one per payment, which a merchant can look up when a notice never came (<c>GET /charges/{id}</c>).
/// A customer may try again after a failure, but a paid charge stays paid. In memory, like the notices: this is a sandbox.
/// </summary>
public sealed class Charges
{
    private readonly ConcurrentDictionary<long, Charge> _byPayment = new();

    public Charge Record(long paymentId, long amountFen, string result) =>
        _byPayment.AddOrUpdate(paymentId,
            id => New(id, amountFen, result),
            (id, held) => held.Result == "success" ? held : New(id, amountFen, result));

    public Charge? Find(long paymentId) => _byPayment.GetValueOrDefault(paymentId);

    private static Charge New(long paymentId, long amountFen, string result) =>
        new(paymentId, amountFen, result, $"sbx_{Guid.CreateVersion7():N}");
}
