namespace Dedao.Column.Data;

public class Column
{
    public long Id { get; set; }
    public required string Title { get; set; }
    public required string Intro { get; set; }
    public long AuthorId { get; set; }
    public Author Author { get; set; } = null!;
    public long PriceFen { get; set; }
    public bool IsFree { get; set; }
    public List<Article> Articles { get; } = [];
}
