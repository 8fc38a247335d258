namespace Dedao.Pay.Data;

/// <summary>Money for an order (<see cref="OrderId"/>) or for a coin top-up (<see cref="TopupId"/>).</summary>
public class Payment
{
    public long Id { get; set; }
    public long? OrderId { get; set; }
    public long? TopupId { get; set; }
    public Guid UserId { get; set; }
    public PaymentChannel Channel { get; set; }
    public long AmountFen { get; set; }
    public PaymentStatus Status { get; set; }
    /// <summary>
    /// The order, on its coin payment only: unique, so an order has one coin payment whose debit every attempt retries
    /// with the same payment id, and coin never takes twice for one order however many requests race.
    /// </summary>
    public long? CoinOrderId { get; set; }
    /// <summary>The provider's id of the money movement, from its notice.</summary>
    public string? ProviderTransactionId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SettledAt { get; set; }
}

public enum PaymentChannel
{
    /// <summary>Paid from the user's coin wallet.</summary>
    Coin,
    /// <summary>Stands in for an outside money provider.</summary>
    Sandbox,
}

public enum PaymentStatus
{
    Pending,
    Succeeded,
    Failed,
    /// <summary>Succeeded, then given back: its order had been cancelled or paid another way.</summary>
    Refunded,
}
