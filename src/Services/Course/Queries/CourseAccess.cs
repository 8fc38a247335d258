using Dedao.Caching;
using Dedao.Course.Data;

namespace Dedao.Course.Queries;

/// <summary>Who bought what, answered from this service's own projection of paid orders (cached by reader), never by asking order.</summary>
public sealed class CourseAccess(IStorage<Guid, IReadOnlyList<Purchase>> purchases)
{
    public async Task<bool> HasPurchasedAsync(Guid? userId, long courseId, CancellationToken cancellationToken) =>
        userId is { } user && (await purchases.GetAsync(user, cancellationToken))?.Any(p => p.CourseId == courseId) == true;
}
