namespace Dedao.Order.Data;

public class Order
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public ProductType ProductType { get; set; }
    public long ProductId { get; set; }
    /// <summary>The catalog's price when the order was placed, never the client's.</summary>
    public long AmountFen { get; set; }
    public OrderStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? PaidAt { get; set; }
    /// <summary>The payment that paid it; any other payment that succeeds for it is refunded.</summary>
    public long? PaymentId { get; set; }
    /// <summary>A pending order still unpaid at this time is cancelled.</summary>
    public DateTime ExpiresAt { get; set; }
    public DateTime? CancelledAt { get; set; }
}

public enum ProductType
{
    Column,
    Course,
}

public enum OrderStatus
{
    Pending,
    Paid,
    /// <summary>Paid, and the catalog has granted access.</summary>
    Completed,
    Cancelled,
}
