using System.Security.Claims;
using Dedao.Course.Data;
using Dedao.Course.Queries;
using Dedao.ServiceDefaults.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Dedao.Course.Apis;

public static class CourseApi
{
    public static IEndpointRouteBuilder MapCourseApi(this IEndpointRouteBuilder app)
    {
        // Reads are anonymous one by one, not by group: progress is the signed-in reader's own.
        var api = app.MapGroup("/api/v1/courses");
        api.MapGet("/", ListCourses).AllowAnonymous();
        api.MapGet("/{id:long}", GetCourse).AllowAnonymous();
        api.MapGet("/{id:long}/lessons/{lessonId:long}", GetLesson).AllowAnonymous();
        api.MapPut("/{id:long}/progress", PutProgress);
        api.MapGet("/{id:long}/progress", GetProgress);

        // Not routed by the gateway, and only a service's own token passes:
        // comment asks it which course a lesson belongs to and whether it is open.
        app.MapGet("/internal/lessons/{lessonId:long}", GetLessonTarget).RequireAuthorization(ServiceIdentity.Policy);

        return app;
    }

    public static async Task<Results<Ok<Page<CourseSummary>>, ValidationProblem>> ListCourses(
        CoursePages pages, string? cursor, string? limit, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = PageQuery.Parse(cursor, limit, errors, Cursors.Id);
        return errors.Count > 0
            ? Problems.Validation(errors)
            : TypedResults.Ok(await pages.ListAsync(page, cancellationToken));
    }

    public static async Task<Results<Ok<CourseDetail>, ProblemHttpResult>> GetCourse(
        CoursePages pages, CourseAccess access, ClaimsPrincipal user, long id, CancellationToken cancellationToken)
    {
        var course = await pages.GetDetailAsync(id, cancellationToken);
        return course is null
            ? Problems.NotFound("The course does not exist.")
            : TypedResults.Ok(course with { Purchased = await access.HasPurchasedAsync(user.GetUserId(), id, cancellationToken) });
    }

    public static async Task<Results<Ok<LessonMedia>, ProblemHttpResult>> GetLesson(
        CoursePages pages, CourseAccess access, ClaimsPrincipal user, long id, long lessonId,
        CancellationToken cancellationToken)
    {
        var lesson = await pages.GetLessonAsync(id, lessonId, cancellationToken);
        if (lesson is null)
        {
            return Problems.NotFound("The course has no such lesson.");
        }

        return lesson.Open || await access.HasPurchasedAsync(user.GetUserId(), id, cancellationToken)
            ? TypedResults.Ok(lesson.Media)
            : NotPurchased();
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> PutProgress(
        CourseDbContext db, CourseAccess access, TimeProvider clock, ClaimsPrincipal user, long id, ProgressUpdate update,
        CancellationToken cancellationToken)
    {
        var course = await db.Courses.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.IsFree }).SingleOrDefaultAsync(cancellationToken);
        if (course is null)
        {
            return Problems.NotFound("The course does not exist.");
        }

        if (user.GetUserId() is not { } userId || (!course.IsFree && !await access.HasPurchasedAsync(userId, id, cancellationToken)))
        {
            return NotPurchased();
        }

        var errors = new Dictionary<string, string[]>();
        var lesson = await db.Lessons.AsNoTracking()
            .Where(l => l.Id == update.LessonId && l.CourseId == id)
            .Select(l => new { l.Id, l.DurationSeconds })
            .SingleOrDefaultAsync(cancellationToken);
        if (lesson is null)
        {
            errors["lessonId"] = ["lessonId must be a lesson of this course."];
        }

        if (update.PositionSeconds is not { } position || position < 0 || position > (lesson?.DurationSeconds ?? int.MaxValue))
        {
            errors["positionSeconds"] = ["positionSeconds must be from 0 to the lesson's length."];
        }

        if (errors.Count > 0 || lesson is null || update.PositionSeconds is not { } seconds)
        {
            return Problems.Validation(errors);
        }

        // One statement, so two devices saving at once both land instead of one failing on the key.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO LessonProgress (UserId, LessonId, CourseId, PositionSeconds, Completed, UpdatedAt)
            VALUES ({userId.ToString()}, {lesson.Id}, {id}, {seconds}, {seconds == lesson.DurationSeconds}, {clock.GetUtcNow().UtcDateTime})
            ON DUPLICATE KEY UPDATE PositionSeconds = VALUES(PositionSeconds), Completed = Completed OR VALUES(Completed),
                                    UpdatedAt = VALUES(UpdatedAt)
            """, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<CourseProgress>, ProblemHttpResult>> GetProgress(
        CourseDbContext db, ClaimsPrincipal user, long id, CancellationToken cancellationToken)
    {
        if (!await db.Courses.AnyAsync(c => c.Id == id, cancellationToken))
        {
            return Problems.NotFound("The course does not exist.");
        }

        var userId = user.GetUserId();
        var lessons = await db.Progress.AsNoTracking()
            .Where(p => p.UserId == userId && p.CourseId == id)
            .OrderBy(p => p.LessonId)
            .Select(p => new LessonPosition(p.LessonId, p.PositionSeconds, p.Completed))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new CourseProgress(lessons));
    }

    public static async Task<Results<Ok<LessonTarget>, ProblemHttpResult>> GetLessonTarget(
        CoursePages pages, long lessonId, CancellationToken cancellationToken) =>
        await pages.GetLessonTargetAsync(lessonId, cancellationToken) is { } target
            ? TypedResults.Ok(target)
            : Problems.NotFound("The lesson does not exist.");

    private static ProblemHttpResult NotPurchased() =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Buy the course to play this lesson.",
            extensions: new Dictionary<string, object?> { ["code"] = "not_purchased" });
}
