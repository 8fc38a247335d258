using Dedao.Caching;
using Dedao.Column.Data;

namespace Dedao.Column.Queries;

/// <summary>Who bought what, answered from this service's own projection of paid orders (cached by reader), never by asking order.</summary>
public sealed class ColumnAccess(IStorage<Guid, IReadOnlyList<Subscription>> subscriptions)
{
    public async Task<bool> IsSubscribedAsync(Guid? userId, long columnId, CancellationToken cancellationToken) =>
        userId is { } user && (await subscriptions.GetAsync(user, cancellationToken))?.Any(s => s.ColumnId == columnId) == true;
}
