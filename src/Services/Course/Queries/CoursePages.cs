using Dedao.Caching;
using Dedao.Course.Apis;
using Dedao.Course.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Course.Queries;

/// <summary>
/// The course reads, the same for every reader: whether the caller bought the course is asked of <see cref="CourseAccess"/>.
/// A course page and its lessons come from the multi-level cache; the list of courses from the database.
/// </summary>
public sealed class CoursePages(
    CourseDbContext db,
    IStorage<long, Data.Course> courses,
    IStorage<long, IReadOnlyList<Lesson>> lessonsOfCourse,
    IStorage<long, Lesson> lessons)
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
    public async Task<CourseDetail?> GetDetailAsync(long id, CancellationToken cancellationToken)
    {
        if (await courses.GetAsync(id, cancellationToken) is not { } course)
        {
            return null;
        }

        var lessons = await lessonsOfCourse.GetAsync(id, cancellationToken) ?? [];
        return new CourseDetail(course.Id, course.Title, course.Intro, course.Teacher, course.PriceFen, course.IsFree, false,
            [.. lessons.OrderBy(l => l.Id).Select(l => new LessonSummary(l.Id, l.Title, l.DurationSeconds, l.IsTrial))]);
    }

    /// <summary>A lesson of a course, with whether anyone may play it; null when the course has no such lesson.</summary>
    public async Task<PlayableLesson?> GetLessonAsync(long courseId, long lessonId, CancellationToken cancellationToken) =>
        await lessons.GetAsync(lessonId, cancellationToken) is { } lesson && lesson.CourseId == courseId
            ? new PlayableLesson(new LessonMedia(lesson.Id, lesson.Title, lesson.MediaUrl, lesson.DurationSeconds),
                await IsOpenAsync(lesson, cancellationToken))
            : null;

    public async Task<LessonTarget?> GetLessonTargetAsync(long lessonId, CancellationToken cancellationToken) =>
        await lessons.GetAsync(lessonId, cancellationToken) is { } lesson
            ? new LessonTarget(lesson.CourseId, await IsOpenAsync(lesson, cancellationToken))
            : null;

    private async Task<bool> IsOpenAsync(Lesson lesson, CancellationToken cancellationToken) =>
        lesson.IsTrial || (await courses.GetAsync(lesson.CourseId, cancellationToken))?.IsFree == true;
}

/// <param name="Open">Playable by anyone: a trial lesson, or one of a free course.</param>
public sealed record PlayableLesson(LessonMedia Media, bool Open);
