using Dedao.Order;

namespace Dedao.Commerce.Tests;

/// <summary>The wake-up behind <c>Prefer: wait</c>, as pure logic; the HTTP side is in <see cref="OrderTests"/>.</summary>
public sealed class OrderChangesTests
{
    [Fact]
    public void A_change_wakes_every_watch_of_that_order_and_no_other()
    {
        var changes = new OrderChanges();
        using var first = changes.Watch(1);
        using var second = changes.Watch(1);
        using var other = changes.Watch(2);

        changes.Changed(1);

        Assert.True(first.Changed.IsCompletedSuccessfully);
        Assert.True(second.Changed.IsCompletedSuccessfully);
        Assert.False(other.Changed.IsCompleted);
    }

    [Fact]
    public void A_watch_begun_after_a_change_waits_for_the_next_one()
    {
        var changes = new OrderChanges();
        using (var before = changes.Watch(1))
        {
            changes.Changed(1);
        }

        using var after = changes.Watch(1);
        Assert.False(after.Changed.IsCompleted);
        changes.Changed(1);
        Assert.True(after.Changed.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_watch_ended_by_one_request_still_wakes_the_others_on_that_order()
    {
        var changes = new OrderChanges();
        var gone = changes.Watch(1);
        using var staying = changes.Watch(1);
        gone.Dispose();
        gone.Dispose();

        changes.Changed(1);

        Assert.True(staying.Changed.IsCompletedSuccessfully);
    }
}
