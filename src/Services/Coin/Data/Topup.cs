namespace Dedao.Coin.Data;

/// <summary>Coins bought with money through pay's sandbox channel; credited once, when pay says the payment succeeded.</summary>
public class Topup
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public long Coins { get; set; }
    public long AmountFen { get; set; }
    /// <summary>Pay's payment for it; null only until pay has answered.</summary>
    public long? PaymentId { get; set; }
    public TopupStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CreditedAt { get; set; }
}

public enum TopupStatus
{
    Pending,
    Credited,
    Failed,
}
