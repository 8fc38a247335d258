namespace Dedao.Contracts;

/// <summary>A payment for an order (<see cref="OrderId"/> set) or for a coin top-up (<see cref="TopupId"/> set).</summary>
public sealed record PaymentSucceeded(
    long PaymentId, long? OrderId, long? TopupId, Guid UserId, PaymentChannel Channel, long AmountFen) : IIntegrationEvent
{
    public static string EventName => "payment.succeeded";
}

public sealed record PaymentFailed(
    long PaymentId, long? OrderId, long? TopupId, Guid UserId, PaymentChannel Channel, string Reason) : IIntegrationEvent
{
    public static string EventName => "payment.failed";
}

/// <summary>
/// Coins taken for a coin payment, committed with the debit. Pay settles the payment from coin's answer; this settles it when
/// that answer never arrived (pay's request ended, or pay died, between the debit and the settlement).
/// </summary>
public sealed record CoinsDebited(long PaymentId, Guid UserId, long Coins, long BalanceAfter) : IIntegrationEvent
{
    public static string EventName => "coins.debited";
}

public sealed record CoinsCredited(long TopupId, Guid UserId, long Coins, long BalanceAfter) : IIntegrationEvent
{
    public static string EventName => "coins.credited";
}
