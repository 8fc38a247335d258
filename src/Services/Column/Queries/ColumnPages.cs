using Dedao.Column.Apis;
using Dedao.Column.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Column.Queries;

/// <summary>
/// The column reads, the same for every reader: whether the caller bought the column is asked of
/// <see cref="ColumnAccess"/> apart, so a page can be kept and served to anyone.
/// </summary>
public sealed class ColumnPages(ColumnDbContext db)
{
    private const string Currency = "CNY";

    public async Task<Page<ColumnSummary>> ListAsync(bool? isFree, PageQuery<long> page, CancellationToken cancellationToken)
    {
        var columns = db.Columns.AsNoTracking();
        if (isFree is { } wanted)
        {
            columns = columns.Where(c => c.IsFree == wanted);
        }

        if (page.After is { } after)
        {
            columns = columns.Where(c => c.Id > after);
        }

        var rows = await columns
            .OrderBy(c => c.Id)
            .Take(page.Limit + 1)
            .Select(c => new ColumnSummary(c.Id, c.Title, c.Author.Name, c.PriceFen, c.IsFree, c.Articles.Count))
            .ToListAsync(cancellationToken);
        return page.ToPage(rows, c => c.Id);
    }

    /// <summary>The v1 home page, <c>subscribed</c> false; null for an unknown column.</summary>
    public Task<ColumnHome?> GetHomeAsync(long id, CancellationToken cancellationToken) =>
        db.Columns.AsNoTracking()
            .Where(c => c.Id == id)
            .Select(c => new ColumnHome(
                c.Id, c.Title, c.Intro, c.Author.Name, c.PriceFen, c.IsFree, false,
                c.Articles
                    .OrderBy(a => a.Id)
                    .Select(a => new ArticleSummary(a.Id, a.Title, a.PublishedAt, a.IsTrial))
                    .ToList()))
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>The v2 home page with one page of its articles, oldest first; <c>subscribed</c> false; null for an unknown column.</summary>
    public async Task<ColumnHomeV2?> GetHomeV2Async(long id, PageQuery<long> articles, CancellationToken cancellationToken)
    {
        var column = await db.Columns.AsNoTracking()
            .Where(c => c.Id == id)
            .Select(c => new { c.Id, c.Title, c.Intro, c.AuthorId, AuthorName = c.Author.Name, c.PriceFen, c.IsFree })
            .SingleOrDefaultAsync(cancellationToken);
        if (column is null)
        {
            return null;
        }

        var rows = db.Articles.AsNoTracking().Where(a => a.ColumnId == id);
        if (articles.After is { } after)
        {
            rows = rows.Where(a => a.Id > after);
        }

        var items = await rows
            .OrderBy(a => a.Id)
            .Take(articles.Limit + 1)
            .Select(a => new ArticleSummary(a.Id, a.Title, a.PublishedAt, a.IsTrial))
            .ToListAsync(cancellationToken);
        return new ColumnHomeV2(
            column.Id, column.Title, column.Intro, new AuthorRef(column.AuthorId, column.AuthorName),
            new Price(column.PriceFen, Currency), column.IsFree, false, articles.ToPage(items, a => a.Id));
    }

    /// <summary>An article of a column, with whether anyone may read it; null when the column has no such article.</summary>
    public Task<ReadableArticle?> GetArticleAsync(long columnId, long articleId, CancellationToken cancellationToken) =>
        db.Articles.AsNoTracking()
            .Where(a => a.Id == articleId && a.ColumnId == columnId)
            .Select(a => new ReadableArticle(
                new ArticleBody(a.Id, a.Title, a.Content, a.PublishedAt),
                a.IsTrial || a.Column.IsFree))
            .SingleOrDefaultAsync(cancellationToken);

    public Task<ArticleTarget?> GetArticleTargetAsync(long articleId, CancellationToken cancellationToken) =>
        db.Articles.AsNoTracking()
            .Where(a => a.Id == articleId)
            .Select(a => new ArticleTarget(a.ColumnId, a.IsTrial || a.Column.IsFree))
            .SingleOrDefaultAsync(cancellationToken);
}

/// <param name="Open">Readable by anyone: a trial article, or one of a free column.</param>
public sealed record ReadableArticle(ArticleBody Body, bool Open);
