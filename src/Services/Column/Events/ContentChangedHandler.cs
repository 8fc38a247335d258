using Dedao.Caching;
using Dedao.Column.Data;
using Dedao.Column.Queries;
using Dedao.Contracts;
using Dedao.Messaging;

namespace Dedao.Column.Events;

/// <summary>
/// Drops the cached copies of a column's page and article whenever <c>content.changed</c> names them: a change made
/// anywhere (another replica, a tool writing the table, a replay) reaches the caches even if the writer's own
/// invalidation was lost, say while Redis was away.
/// </summary>
public sealed class ContentChangedHandler(IStorage<long, ColumnPage> pages, IStorage<long, Article> articles) : IEventHandler<ContentChanged>
{
    public static bool Wants(ContentChanged @event) => @event.ProductType == ProductType.Column;

    public async Task HandleAsync(ContentChanged @event, EventContext context, CancellationToken cancellationToken)
    {
        await pages.DeleteAsync(@event.ProductId);
        if (@event.ArticleId is { } article)
        {
            await articles.DeleteAsync(article);
        }
    }
}
