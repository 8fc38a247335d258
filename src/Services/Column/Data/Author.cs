namespace Dedao.Column.Data;

public class Author
{
    public long Id { get; set; }
    public required string Name { get; set; }
}
