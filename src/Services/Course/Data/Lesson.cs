using Dedao.Caching;

namespace Dedao.Course.Data;

/// <remarks>Cached by course for the course page, and by id for a lesson's own reads.</remarks>
[CachedTable<CourseDbContext>(nameof(CourseId), Series = true)]
[CachedTable<CourseDbContext>(nameof(Id))]
public class Lesson
{
    public long Id { get; set; }
    public long CourseId { get; set; }
    public Course Course { get; set; } = null!;
    public required string Title { get; set; }
    public required string MediaUrl { get; set; }
    public int DurationSeconds { get; set; }
    /// <summary>A trial lesson is playable without buying its course.</summary>
    public bool IsTrial { get; set; }
}
