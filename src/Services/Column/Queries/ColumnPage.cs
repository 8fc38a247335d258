using Dedao.Caching;
using Dedao.Column.Apis;
using Dedao.Column.Data;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Queries;

/// <summary>What every home page of a column is made of, v1 and v2 alike, for any reader: kept whole in the cache.</summary>
/// <param name="Articles">All of them, oldest first.</param>
public sealed record ColumnPage(
    long Id, string Title, string Intro, long AuthorId, string AuthorName, long PriceFen, bool IsFree, IReadOnlyList<ArticleSummary> Articles);

/// <summary>The source of <see cref="ColumnPage"/>s: two queries for any number of columns, columns then their articles.</summary>
public sealed class ColumnPageTable(IServiceScopeFactory scopes, StorageOptions options, CacheMetrics metrics)
    : TableStorage<ColumnDbContext, long, ColumnPage>(StorageName, scopes, options, metrics)
{
    public const string StorageName = "dedao.column.page";

    protected override async Task<IReadOnlyDictionary<long, ColumnPage>> QueryAsync(ColumnDbContext db, long[] keys, CancellationToken cancellationToken)
    {
        var columns = await db.Columns.AsNoTracking()
            .Where(c => Enumerable.Contains(EF.Constant(keys), c.Id))
            .Select(c => new { c.Id, c.Title, c.Intro, c.AuthorId, AuthorName = c.Author.Name, c.PriceFen, c.IsFree })
            .ToListAsync(cancellationToken);
        var articles = (await db.Articles.AsNoTracking()
                .Where(a => Enumerable.Contains(EF.Constant(keys), a.ColumnId))
                .OrderBy(a => a.Id)
                .Select(a => new { a.ColumnId, Summary = new ArticleSummary(a.Id, a.Title, a.PublishedAt, a.IsTrial) })
                .ToListAsync(cancellationToken))
            .ToLookup(a => a.ColumnId, a => a.Summary);
        return columns.ToDictionary(c => c.Id, c => new ColumnPage(
            c.Id, c.Title, c.Intro, c.AuthorId, c.AuthorName, c.PriceFen, c.IsFree, [.. articles[c.Id]]));
    }
}
