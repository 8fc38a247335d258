using Dedao.Course.Apis;
using Dedao.Course.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Course.Queries;

/// <summary>The course reads, the same for every reader: whether the caller bought the course is asked of <see cref="CourseAccess"/>.</summary>
public sealed class CoursePages(CourseDbContext db)
{
    public async Task<Page<CourseSummary>> ListAsync(PageQuery<long> page, CancellationToken cancellationToken)
    {
        var courses = db.Courses.AsNoTracking();
        if (page.After is { } after)
        {
            courses = courses.Where(c => c.Id > after);
        }

        var rows = await courses
            .OrderBy(c => c.Id)
            .Take(page.Limit + 1)
            .Select(c => new CourseSummary(c.Id, c.Title, c.Teacher, c.PriceFen, c.IsFree, c.Lessons.Count))
            .ToListAsync(cancellationToken);
        return page.ToPage(rows, c => c.Id);
    }

    /// <summary>The course's page, <c>purchased</c> false; null for an unknown course.</summary>
    public Task<CourseDetail?> GetDetailAsync(long id, CancellationToken cancellationToken) =>
        db.Courses.AsNoTracking()
            .Where(c => c.Id == id)
            .Select(c => new CourseDetail(
                c.Id, c.Title, c.Intro, c.Teacher, c.PriceFen, c.IsFree, false,
                c.Lessons
                    .OrderBy(l => l.Id)
                    .Select(l => new LessonSummary(l.Id, l.Title, l.DurationSeconds, l.IsTrial))
                    .ToList()))
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>A lesson of a course, with whether anyone may play it; null when the course has no such lesson.</summary>
    public Task<PlayableLesson?> GetLessonAsync(long courseId, long lessonId, CancellationToken cancellationToken) =>
        db.Lessons.AsNoTracking()
            .Where(l => l.Id == lessonId && l.CourseId == courseId)
            .Select(l => new PlayableLesson(new LessonMedia(l.Id, l.Title, l.MediaUrl, l.DurationSeconds), l.IsTrial || l.Course.IsFree))
            .SingleOrDefaultAsync(cancellationToken);

    public Task<LessonTarget?> GetLessonTargetAsync(long lessonId, CancellationToken cancellationToken) =>
        db.Lessons.AsNoTracking()
            .Where(l => l.Id == lessonId)
            .Select(l => new LessonTarget(l.CourseId, l.IsTrial || l.Course.IsFree))
            .SingleOrDefaultAsync(cancellationToken);
}

/// <param name="Open">Playable by anyone: a trial lesson, or one of a free course.</param>
public sealed record PlayableLesson(LessonMedia Media, bool Open);
