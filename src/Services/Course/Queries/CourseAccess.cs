using Dedao.Course.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Course.Queries;

/// <summary>Who bought what, answered from this service's own projection of paid orders, never by asking order.</summary>
public sealed class CourseAccess(CourseDbContext db)
{
    public async Task<bool> HasPurchasedAsync(Guid? userId, long courseId, CancellationToken cancellationToken) =>
        userId is { } user && await db.Purchases.AnyAsync(p => p.UserId == user && p.CourseId == courseId, cancellationToken);
}
