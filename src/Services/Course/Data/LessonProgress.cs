namespace Dedao.Course.Data;

/// <summary>Where a reader is in one lesson.</summary>
public class LessonProgress
{
    public Guid UserId { get; set; }
    public long LessonId { get; set; }
    public long CourseId { get; set; }
    public int PositionSeconds { get; set; }
    /// <summary>Set once the reader reached the end; going back to an earlier position keeps it.</summary>
    public bool Completed { get; set; }
    public DateTime UpdatedAt { get; set; }
}
