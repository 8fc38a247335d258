using Microsoft.Data.Sqlite;

namespace Dedao.PaySandbox;

/// <summary>Money the provider gave back to the customer for a payment.</summary>
public sealed record Refund(string RefundId, long PaymentId, long AmountFen);

public sealed record RefundRequest(long AmountFen);

/// <summary>
/// The provider's refunds, at most one per payment: asked again, the same refund answers, so a merchant's retry gives
/// nothing back twice.
/// </summary>
public sealed class Refunds(SandboxDatabase database)
{
    /// <returns>The payment's refund, made now or before; or null when it was refunded before for another amount.</returns>
    public Refund? Make(long paymentId, long amountFen)
    {
        using var connection = database.Open();
        using var transaction = SandboxDatabase.BeginWrite(connection);
        var refund = Find(connection, paymentId);
        if (refund is null)
        {
            refund = new Refund($"rfd_{Guid.CreateVersion7():N}", paymentId, amountFen);
            SandboxDatabase.Execute(connection, "INSERT INTO refunds (payment_id, refund_id, amount_fen) VALUES ($payment, $refund, $amount)",
                ("$payment", paymentId), ("$refund", refund.RefundId), ("$amount", amountFen));
        }

        transaction.Commit();
        return refund.AmountFen == amountFen ? refund : null;
    }

    public Refund? Find(long paymentId)
    {
        using var connection = database.Open();
        return Find(connection, paymentId);
    }

    private static Refund? Find(SqliteConnection connection, long paymentId)
    {
        using var command = SandboxDatabase.Command(connection, "SELECT refund_id, amount_fen FROM refunds WHERE payment_id = $payment",
            ("$payment", paymentId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Refund(reader.GetString(0), paymentId, reader.GetInt64(1)) : null;
    }
}
