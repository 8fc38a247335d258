namespace Dedao.Coin.Data;

/// <summary>One change of a wallet; entries are only ever added.</summary>
public class LedgerEntry
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    /// <summary>Coins added (positive) or spent (negative).</summary>
    public long Delta { get; set; }
    public LedgerReason Reason { get; set; }
    /// <summary>What caused it: the top-up or the payment, by its id in the service that owns it.</summary>
    public required string RefId { get; set; }
    public long BalanceAfter { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum LedgerReason
{
    Topup,
    Purchase,
    /// <summary>A purchase given back: its payment's order was cancelled before the payment arrived.</summary>
    Refund,
}
