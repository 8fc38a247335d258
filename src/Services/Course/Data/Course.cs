using Dedao.Caching;

namespace Dedao.Course.Data;

[CachedTable<CourseDbContext>(nameof(Id))]
public class Course
{
    public long Id { get; set; }
    public required string Title { get; set; }
    public required string Intro { get; set; }
    public required string Teacher { get; set; }
    public long PriceFen { get; set; }
    public bool IsFree { get; set; }
    public List<Lesson> Lessons { get; } = [];
}
