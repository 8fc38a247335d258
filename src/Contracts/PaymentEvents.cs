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

public sealed record CoinsCredited(long TopupId, Guid UserId, long Coins, long BalanceAfter) : IIntegrationEvent
{
    public static string EventName => "coins.credited";
}
