namespace Dedao.Bench.Caching;

/// <summary>The shape and size (about 1.5 KB of JSON) of a column's home page.</summary>
public sealed record ColumnPage(long Id, string Title, string Intro, string Author, long PriceFen, bool IsFree, IReadOnlyList<ArticleLine> Articles)
{
    public static ColumnPage Sample(long id) => new(
        id, $"Column {id}: thinking in systems", string.Concat(Enumerable.Repeat("An introduction worth reading twice. ", 8)), "An Author", 19900, false,
        [.. Enumerable.Range(1, 12).Select(i => new ArticleLine(id * 100 + i, $"Article {i}: a title of some length", DateTime.UnixEpoch.AddDays(20000 + i), i <= 2))]);
}

public sealed record ArticleLine(long Id, string Title, DateTime PublishedAt, bool IsTrial);
