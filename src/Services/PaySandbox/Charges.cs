using Microsoft.Data.Sqlite;

namespace Dedao.PaySandbox;

/// <summary>A payment as the provider holds it: what the customer did last, and the transaction that records it.</summary>
public sealed record Charge(long PaymentId, long AmountFen, string Result, string TransactionId);

/// <summary>
/// The provider's charges, one per payment, which a merchant can look up when a notice never came (<c>GET /charges/{id}</c>).
/// A customer may try again after a failure, but a paid charge stays paid.
/// </summary>
public sealed class Charges(SandboxDatabase database)
{
    /// <summary>Records what the customer did and, when <paramref name="sendNotice"/>, the notice owed for it, together.</summary>
    /// <returns>The charge as it now stands, and that notice.</returns>
    public (Charge Charge, PendingNotice? Notice) Record(long paymentId, long amountFen, string result, bool sendNotice)
    {
        using var connection = database.Open();
        using var transaction = SandboxDatabase.BeginWrite(connection);
        var charge = Find(connection, paymentId) is { Result: "success" } paid
            ? paid
            : new Charge(paymentId, amountFen, result, $"sbx_{Guid.CreateVersion7():N}");
        SandboxDatabase.Execute(connection, """
            INSERT INTO charges (payment_id, amount_fen, result, transaction_id) VALUES ($payment, $amount, $result, $transaction)
            ON CONFLICT (payment_id) DO UPDATE SET amount_fen = excluded.amount_fen, result = excluded.result, transaction_id = excluded.transaction_id
            """, ("$payment", charge.PaymentId), ("$amount", charge.AmountFen), ("$result", charge.Result), ("$transaction", charge.TransactionId));
        PendingNotice? notice = null;
        if (sendNotice)
        {
            using var insert = SandboxDatabase.Command(connection, """
                INSERT INTO notices (payment_id, amount_fen, result, transaction_id)
                SELECT payment_id, amount_fen, result, transaction_id FROM charges WHERE payment_id = $payment
                RETURNING id
                """, ("$payment", charge.PaymentId));
            notice = new PendingNotice((long)insert.ExecuteScalar()!, new Notice(charge.PaymentId, charge.AmountFen, charge.Result, charge.TransactionId));
        }

        transaction.Commit();
        return (charge, notice);
    }

    public Charge? Find(long paymentId)
    {
        using var connection = database.Open();
        return Find(connection, paymentId);
    }

    private static Charge? Find(SqliteConnection connection, long paymentId)
    {
        using var command = SandboxDatabase.Command(connection,
            "SELECT amount_fen, result, transaction_id FROM charges WHERE payment_id = $payment", ("$payment", paymentId));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new Charge(paymentId, reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : null;
    }
}
