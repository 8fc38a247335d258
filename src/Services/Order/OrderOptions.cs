namespace Dedao.Order;

public sealed class OrderOptions
{
    public const string Section = "Order";

    /// <summary>How long an order waits for its payment before it is cancelled.</summary>
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often expired orders are looked for: the most an expired order stays pending beyond its time.</summary>
    public TimeSpan ExpiryScanInterval { get; set; } = TimeSpan.FromSeconds(1);
}
