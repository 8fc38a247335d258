namespace Dedao.Pay.Data;

public class Payment
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public Guid UserId { get; set; }
    public PaymentChannel Channel { get; set; }
    public long AmountFen { get; set; }
    public PaymentStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
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
}
