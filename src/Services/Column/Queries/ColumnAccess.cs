using Dedao.Column.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Queries;

/// <summary>Who bought what, answered from this service's own projection of paid orders, never by asking order.</summary>
public sealed class ColumnAccess(ColumnDbContext db)
{
    public async Task<bool> IsSubscribedAsync(Guid? userId, long columnId, CancellationToken cancellationToken) =>
        userId is { } user && await db.Subscriptions.AnyAsync(s => s.UserId == user && s.ColumnId == columnId, cancellationToken);
}
