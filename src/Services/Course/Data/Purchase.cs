namespace Dedao.Course.Data;

/// <summary>This service's own record of who bought which course, projected from <c>order.paid</c>.</summary>
public class Purchase
{
    public Guid UserId { get; set; }
    public long CourseId { get; set; }
    /// <summary>The order that granted it, answered in <c>access.granted</c>.</summary>
    public long OrderId { get; set; }
    public DateTime GrantedAt { get; set; }
}
