using Dedao.Caching;

namespace Dedao.Column.Data;

[CachedTable<ColumnDbContext>(nameof(Id))]
public class Article
{
    public long Id { get; set; }
    public long ColumnId { get; set; }
    public Column Column { get; set; } = null!;
    public required string Title { get; set; }
    public required string Content { get; set; }
    public DateTime PublishedAt { get; set; }
    /// <summary>A trial article is readable without buying its column.</summary>
    public bool IsTrial { get; set; }
}
