using Dedao.Caching;

namespace Dedao.Column.Data;

/// <summary>This service's own record of who bought which column, projected from <c>order.paid</c>.</summary>
/// <remarks>Cached by reader: a paid page asks for one reader's columns on every request.</remarks>
[CachedTable<ColumnDbContext>(nameof(UserId), Series = true)]
public class Subscription
{
    public Guid UserId { get; set; }
    public long ColumnId { get; set; }
    /// <summary>The order that granted it, answered in <c>access.granted</c>.</summary>
    public long OrderId { get; set; }
    public DateTime GrantedAt { get; set; }
}
