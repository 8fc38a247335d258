namespace Dedao.Course.Apis;

public sealed record CourseSummary(long Id, string Title, string Teacher, long PriceFen, bool IsFree, int LessonCount);

public sealed record CourseDetail(
    long Id, string Title, string Intro, string Teacher, long PriceFen, bool IsFree, bool Purchased,
    IReadOnlyList<LessonSummary> Lessons);

public sealed record LessonSummary(long Id, string Title, int DurationSeconds, bool IsTrial);

public sealed record LessonMedia(long Id, string Title, string MediaUrl, int DurationSeconds);

public sealed record ProgressUpdate(long? LessonId, int? PositionSeconds);

public sealed record CourseProgress(IReadOnlyList<LessonPosition> Lessons);

public sealed record LessonPosition(long LessonId, int PositionSeconds, bool Completed);

/// <summary>What comment needs to know of a lesson to decide who may comment on it.</summary>
public sealed record LessonTarget(long CourseId, bool Open);
