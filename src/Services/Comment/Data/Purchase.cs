using Dedao.Contracts;

namespace Dedao.Comment.Data;

/// <summary>This service's own record of who bought which column or course, projected from <c>order.paid</c>.</summary>
public class Purchase
{
    public Guid UserId { get; set; }
    public ProductType ProductType { get; set; }
    public long ProductId { get; set; }
    public long OrderId { get; set; }
}
