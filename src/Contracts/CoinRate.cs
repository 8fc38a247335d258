namespace Dedao.Contracts;

/// <summary>What a coin is worth, for coin, which takes coins, and pay, which checks what was taken.</summary>
public static class CoinRate
{
    public const long FenPerCoin = 100;

    /// <summary>A price that is not whole coins costs the next whole coin: never less than the price.</summary>
    public static long CoinsFor(long amountFen) => (amountFen + FenPerCoin - 1) / FenPerCoin;
}
