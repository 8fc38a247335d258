using Dedao.Course.Data;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Course.Apis;

public static class CourseApi
{
    public static IEndpointRouteBuilder MapCourseApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/courses").AllowAnonymous();

        api.MapGet("/", ListCourses);
        api.MapGet("/{id:long}", GetCourse);

        return app;
    }

    public static async Task<Results<Ok<Page<CourseSummary>>, ValidationProblem>> ListCourses(
        CourseDbContext db, string? cursor, string? limit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = PageQuery.Parse(cursor, limit, errors, Cursors.Id);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

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
        return TypedResults.Ok(page.ToPage(rows, c => c.Id));
    }

    public static async Task<Results<Ok<CourseDetail>, ProblemHttpResult>> GetCourse(
        CourseDbContext db, long id, CancellationToken cancellationToken)
    {
        var course = await db.Courses.AsNoTracking()
            .Where(c => c.Id == id)
            .Select(c => new CourseDetail(
                c.Id, c.Title, c.Intro, c.Teacher, c.PriceFen, c.IsFree,
                // Nobody has purchased until this service keeps a projection of paid orders.
                false,
                c.Lessons
                    .OrderBy(l => l.Id)
                    .Select(l => new LessonSummary(l.Id, l.Title, l.DurationSeconds, l.IsTrial))
                    .ToList()))
            .SingleOrDefaultAsync(cancellationToken);

        return course is null ? Problems.NotFound("The course does not exist.") : TypedResults.Ok(course);
    }
}

public sealed record CourseSummary(long Id, string Title, string Teacher, long PriceFen, bool IsFree, int LessonCount);

public sealed record CourseDetail(
    long Id, string Title, string Intro, string Teacher, long PriceFen, bool IsFree, bool Purchased,
    IReadOnlyList<LessonSummary> Lessons);

public sealed record LessonSummary(long Id, string Title, int DurationSeconds, bool IsTrial);
