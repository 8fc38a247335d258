using System.Net;
using System.Text.Json;
using Dedao.Testing;

namespace Dedao.Content.Tests;

[Collection(Content.Name)]
public sealed class CourseTests(ContentFixture platform)
{
    private const long PaidCourse = 1;
    private const long OtherPaidCourse = 2;
    private const long FreeCourse = 5;

    [Fact]
    public async Task The_list_has_every_course_with_its_lessons_counted()
    {
        var list = await HttpAssert.JsonAsync(await Get("/api/v1/courses?limit=100"), HttpStatusCode.OK);
        var courses = list.GetProperty("items").EnumerateArray().ToList();
        Assert.InRange(courses.Count, 10, 100);
        Assert.Null(list.GetProperty("nextCursor").GetString());
        Assert.All(courses, c => Assert.InRange(c.GetProperty("lessonCount").GetInt32(), 1, int.MaxValue));
        Assert.Contains(courses, c => c.GetProperty("isFree").GetBoolean());
        await HttpAssert.ProblemAsync(await Get("/api/v1/courses?cursor=%%%"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_course_page_says_not_purchased_and_gates_its_lessons()
    {
        var reader = await platform.SignUpAsync();
        var lessons = await LessonsAsync(PaidCourse);
        var trial = lessons.First(l => l.GetProperty("isTrial").GetBoolean());
        var locked = lessons.First(l => !l.GetProperty("isTrial").GetBoolean()).GetProperty("id").GetInt64();
        var freeLesson = (await LessonsAsync(FreeCourse)).First(l => !l.GetProperty("isTrial").GetBoolean()).GetProperty("id").GetInt64();

        foreach (var token in new[] { null, reader.Token })
        {
            var course = await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{PaidCourse}", token), HttpStatusCode.OK);
            Assert.False(course.GetProperty("purchased").GetBoolean());
            var media = await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{PaidCourse}/lessons/{trial.GetProperty("id").GetInt64()}", token),
                HttpStatusCode.OK);
            Assert.StartsWith("https://", media.GetProperty("mediaUrl").GetString());
            Assert.Equal(trial.GetProperty("durationSeconds").GetInt32(), media.GetProperty("durationSeconds").GetInt32());
            await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{FreeCourse}/lessons/{freeLesson}", token), HttpStatusCode.OK);
            await HttpAssert.ProblemAsync(await Get($"/api/v1/courses/{PaidCourse}/lessons/{locked}", token), HttpStatusCode.Forbidden, "not_purchased");
        }

        await HttpAssert.ProblemAsync(await Get($"/api/v1/courses/{OtherPaidCourse}/lessons/{locked}"), HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(await Get("/api/v1/courses/999999"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Progress_is_only_for_signed_in_readers_with_access()
    {
        var reader = await platform.SignUpAsync();
        var lesson = (await LessonsAsync(PaidCourse))[0].GetProperty("id").GetInt64();
        var body = new { lessonId = lesson, positionSeconds = 10 };

        await HttpAssert.ProblemAsync(await Send(HttpMethod.Put, $"/api/v1/courses/{PaidCourse}/progress", null, body),
            HttpStatusCode.Unauthorized, "unauthorized");
        await HttpAssert.ProblemAsync(await Get($"/api/v1/courses/{PaidCourse}/progress"), HttpStatusCode.Unauthorized, "unauthorized");
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Put, $"/api/v1/courses/{PaidCourse}/progress", reader.Token, body),
            HttpStatusCode.Forbidden, "not_purchased");
        await HttpAssert.ProblemAsync(await Send(HttpMethod.Put, "/api/v1/courses/999999/progress", reader.Token, body),
            HttpStatusCode.NotFound, "not_found");
        await HttpAssert.ProblemAsync(await Get("/api/v1/courses/999999/progress", reader.Token), HttpStatusCode.NotFound, "not_found");
        var progress = await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{PaidCourse}/progress", reader.Token), HttpStatusCode.OK);
        Assert.Empty(progress.GetProperty("lessons").EnumerateArray());
    }

    [Fact]
    public async Task Progress_is_kept_per_lesson_and_a_lesson_is_completed_at_its_end()
    {
        var reader = await platform.SignUpAsync();
        var lessons = await LessonsAsync(FreeCourse);
        var (first, second) = (lessons[0], lessons[1]);
        var firstId = first.GetProperty("id").GetInt64();
        var end = first.GetProperty("durationSeconds").GetInt32();

        await HttpAssert.JsonAsync(await PutProgress(reader, FreeCourse, firstId, 30), HttpStatusCode.NoContent);
        await HttpAssert.JsonAsync(await PutProgress(reader, FreeCourse, second.GetProperty("id").GetInt64(), 5), HttpStatusCode.NoContent);
        var progress = await ProgressAsync(reader, FreeCourse);
        Assert.Equal((30, false), progress[firstId]);

        await HttpAssert.JsonAsync(await PutProgress(reader, FreeCourse, firstId, end), HttpStatusCode.NoContent);
        Assert.Equal((end, true), (await ProgressAsync(reader, FreeCourse))[firstId]);

        // Listening again from the start moves the position; the lesson stays completed.
        await HttpAssert.JsonAsync(await PutProgress(reader, FreeCourse, firstId, 0), HttpStatusCode.NoContent);
        progress = await ProgressAsync(reader, FreeCourse);
        Assert.Equal((0, true), progress[firstId]);
        Assert.Equal((5, false), progress[second.GetProperty("id").GetInt64()]);

        // Someone else's progress is their own.
        var other = await platform.SignUpAsync();
        Assert.Empty(await ProgressAsync(other, FreeCourse));
    }

    [Fact]
    public async Task Progress_must_name_a_lesson_of_the_course_and_a_position_within_it()
    {
        var reader = await platform.SignUpAsync();
        var lesson = (await LessonsAsync(FreeCourse))[0];
        var id = lesson.GetProperty("id").GetInt64();
        var elsewhere = (await LessonsAsync(PaidCourse))[0].GetProperty("id").GetInt64();

        (object Body, string Field)[] cases =
        [
            (new { lessonId = elsewhere, positionSeconds = 1 }, "lessonId"),
            (new { lessonId = 99999999, positionSeconds = 1 }, "lessonId"),
            (new { positionSeconds = 1 }, "lessonId"),
            (new { lessonId = id, positionSeconds = -1 }, "positionSeconds"),
            (new { lessonId = id, positionSeconds = lesson.GetProperty("durationSeconds").GetInt32() + 1 }, "positionSeconds"),
            (new { lessonId = id }, "positionSeconds"),
        ];
        foreach (var (body, field) in cases)
        {
            var problem = await HttpAssert.ProblemAsync(await Send(HttpMethod.Put, $"/api/v1/courses/{FreeCourse}/progress", reader.Token, body),
                HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field}: {problem}");
        }
    }

    private Task<HttpResponseMessage> Get(string path, string? token = null) => Http.SendAsync(platform.Gateway, HttpMethod.Get, path, token);

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? token, object body) =>
        Http.SendAsync(platform.Gateway, method, path, token, body);

    private Task<HttpResponseMessage> PutProgress(SignedInReader reader, long course, long lesson, int position) =>
        Send(HttpMethod.Put, $"/api/v1/courses/{course}/progress", reader.Token, new { lessonId = lesson, positionSeconds = position });

    private async Task<Dictionary<long, (int Position, bool Completed)>> ProgressAsync(SignedInReader reader, long course) =>
        (await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{course}/progress", reader.Token), HttpStatusCode.OK))
            .GetProperty("lessons").EnumerateArray()
            .ToDictionary(l => l.GetProperty("lessonId").GetInt64(),
                l => (l.GetProperty("positionSeconds").GetInt32(), l.GetProperty("completed").GetBoolean()));

    private async Task<List<JsonElement>> LessonsAsync(long course) =>
        (await HttpAssert.JsonAsync(await Get($"/api/v1/courses/{course}"), HttpStatusCode.OK)).GetProperty("lessons").EnumerateArray().ToList();
}
