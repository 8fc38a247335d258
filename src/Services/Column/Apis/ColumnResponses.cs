using Dedao.ServiceDefaults.Apis;

namespace Dedao.Column.Apis;

public sealed record ColumnSummary(long Id, string Title, string Author, long PriceFen, bool IsFree, int ArticleCount);

public sealed record ColumnHome(
    long Id, string Title, string Intro, string Author, long PriceFen, bool IsFree, bool Subscribed,
    IReadOnlyList<ArticleSummary> Articles);

/// <summary>
/// v2 of the home page: the author and the price are objects, the articles a page, and the featured comments of those
/// articles counted (null only until the page is put together).
/// </summary>
public sealed record ColumnHomeV2(
    long Id, string Title, string Intro, AuthorRef Author, Price Price, bool IsFree, bool Subscribed,
    Page<ArticleSummary> Articles, CommentSummary? Comments = null);

/// <param name="Available">False when comment could not be asked: the counts are then empty, not zero.</param>
/// <param name="FeaturedCounts">Featured comments by article id; an article without any is left out.</param>
public sealed record CommentSummary(bool Available, IReadOnlyDictionary<long, int> FeaturedCounts);

public sealed record AuthorRef(long Id, string Name);

public sealed record Price(long AmountFen, string Currency);

public sealed record ArticleSummary(long Id, string Title, DateTime PublishedAt, bool IsTrial);

public sealed record ArticleBody(long Id, string Title, string Content, DateTime PublishedAt);

public sealed record NewArticle(string? Title, string? Content, bool IsTrial);

public sealed record ArticleCreated(long Id);

/// <summary>What comment needs to know of an article to decide who may comment on it.</summary>
public sealed record ArticleTarget(long ColumnId, bool Open);
