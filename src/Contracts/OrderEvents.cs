namespace Dedao.Contracts;

public sealed record OrderCreated(
    long OrderId, Guid UserId, ProductType ProductType, long ProductId, long AmountFen, DateTime ExpiresAt) : IIntegrationEvent
{
    public static string EventName => "order.created";
}

/// <param name="Reason"><c>user</c>, <c>expired</c>, or <c>already_owned</c> (another of the user's orders of the product was paid).</param>
public sealed record OrderCancelled(long OrderId, Guid UserId, string Reason) : IIntegrationEvent
{
    public static string EventName => "order.cancelled";
}

public sealed record OrderPaid(
    long OrderId, Guid UserId, ProductType ProductType, long ProductId, long AmountFen, DateTime PaidAt) : IIntegrationEvent
{
    public static string EventName => "order.paid";
}

/// <param name="Reason"><c>order_cancelled</c>.</param>
public sealed record PaymentRefundRequired(long OrderId, long PaymentId, Guid UserId, long AmountFen, string Reason)
    : IIntegrationEvent
{
    public static string EventName => "payment.refund_required";
}
