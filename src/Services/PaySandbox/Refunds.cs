using System.Collections.Concurrent;

namespace Dedao.PaySandbox;

/// <summary>Money the provider gave back to the customer for a payment.</summary>
public sealed record Refund(string RefundId, long PaymentId, long AmountFen);

public sealed record RefundRequest(long AmountFen);

/// <summary>
/// The provider's refunds, at most one per payment: asked again, the same refund answers, so a merchant's retry gives
/// nothing back twice. In memory, like the notices: this is a sandbox.
/// </summary>
public sealed class Refunds
{
    private readonly ConcurrentDictionary<long, Refund> _byPayment = new();

    /// <returns>The payment's refund, made now or before; or null when it was refunded before for another amount.</returns>
    public Refund? Make(long paymentId, long amountFen)
    {
        var refund = _byPayment.GetOrAdd(paymentId, id => new Refund($"rfd_{Guid.CreateVersion7():N}", id, amountFen));
        return refund.AmountFen == amountFen ? refund : null;
    }

    public Refund? Find(long paymentId) => _byPayment.GetValueOrDefault(paymentId);
}
