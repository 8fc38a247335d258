namespace Dedao.Coin.Data;

/// <summary>A user's coin balance; it always equals the sum of the user's ledger entries.</summary>
public class Wallet
{
    public Guid UserId { get; set; }
    public long Balance { get; set; }
}
