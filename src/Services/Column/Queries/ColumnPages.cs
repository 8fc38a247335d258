using System.Runtime.CompilerServices;
using Dedao.Caching;
using Dedao.Column.Apis;
using Dedao.Column.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Dedao.Column.Queries;

/// <summary>
/// The column reads, the same for every reader: whether the caller bought the column is asked of
/// <see cref="ColumnAccess"/> apart, so a page can be kept and served to anyone. The home pages and articles come from
/// the multi-level cache, so that a page served from memory touches neither a database connection nor a DbContext.
/// </summary>
public sealed class ColumnPages(IStorage<long, ColumnPage> pages, IStorage<long, Article> articles, IOptions<JsonOptions> json)
{
    private const string Currency = "CNY";

    // Weak: the rendered page lives exactly as long as the cache (or a request) holds its page.
    private readonly ConditionalWeakTable<ColumnPage, ColumnHomeJson> homes = new();

    /// <summary>The v1 home page, rendered once for each cached page; null for an unknown column.</summary>
    public async Task<ColumnHomeJson?> GetHomeAsync(long id, CancellationToken cancellationToken) =>
        await pages.GetAsync(id, cancellationToken) is { } page
            ? homes.GetValue(page, page => new ColumnHomeJson(page, json.Value.SerializerOptions))
            : null;

    /// <summary>The v2 home page with one page of its articles, oldest first; <c>subscribed</c> false; null for an unknown column.</summary>
    public async Task<ColumnHomeV2?> GetHomeV2Async(long id, PageQuery<long> articles, CancellationToken cancellationToken)
    {
        if (await pages.GetAsync(id, cancellationToken) is not { } page)
        {
            return null;
        }

        var after = articles.After ?? long.MinValue;
        List<ArticleSummary> items = [.. page.Articles.Where(a => a.Id > after).Take(articles.Limit + 1)];
        return new ColumnHomeV2(
            page.Id, page.Title, page.Intro, new AuthorRef(page.AuthorId, page.AuthorName),
            new Price(page.PriceFen, Currency), page.IsFree, false, articles.ToPage(items, a => a.Id));
    }

    /// <summary>An article of a column, with whether anyone may read it; null when the column has no such article.</summary>
    public async Task<ReadableArticle?> GetArticleAsync(long columnId, long articleId, CancellationToken cancellationToken) =>
        await articles.GetAsync(articleId, cancellationToken) is { } article && article.ColumnId == columnId
            ? new ReadableArticle(new ArticleBody(article.Id, article.Title, article.Content, article.PublishedAt),
                await IsOpenAsync(article, cancellationToken))
            : null;

    public async Task<ArticleTarget?> GetArticleTargetAsync(long articleId, CancellationToken cancellationToken) =>
        await articles.GetAsync(articleId, cancellationToken) is { } article
            ? new ArticleTarget(article.ColumnId, await IsOpenAsync(article, cancellationToken))
            : null;

    private async Task<bool> IsOpenAsync(Article article, CancellationToken cancellationToken) =>
        article.IsTrial || (await pages.GetAsync(article.ColumnId, cancellationToken))?.IsFree == true;
}

/// <param name="Open">Readable by anyone: a trial article, or one of a free column.</param>
public sealed record ReadableArticle(ArticleBody Body, bool Open);
