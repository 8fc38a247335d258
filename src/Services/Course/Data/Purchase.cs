using Dedao.Caching;

namespace Dedao.Course.Data;

/// <summary>This service's own record of who bought which course, projected from <c>order.paid</c>.</summary>
/// <remarks>Cached by reader: a course page asks for one reader's courses on every signed-in request.</remarks>
[CachedTable<CourseDbContext>(nameof(UserId), Series = true)]
public class Purchase
{
    public Guid UserId { get; set; }
    public long CourseId { get; set; }
    /// <summary>The order that granted it, answered in <c>access.granted</c>.</summary>
    public long OrderId { get; set; }
    public DateTime GrantedAt { get; set; }
}
