using Dedao.Caching;
using Dedao.Contracts;
using Dedao.Course.Data;
using Dedao.Messaging;

namespace Dedao.Course.Events;

/// <summary>
/// Drops the cached copies of a course, its lessons and the lesson named whenever <c>content.changed</c> names them:
/// course has no writes of its own to course pages, so a change made by a tool or another service reaches the cache here.
/// </summary>
public sealed class ContentChangedHandler(
    IStorage<long, Data.Course> courses, IStorage<long, IReadOnlyList<Lesson>> lessonsOfCourse, IStorage<long, Lesson> lessons)
    : IEventHandler<ContentChanged>
{
    public static bool Wants(ContentChanged @event) => @event.ProductType == ProductType.Course;

    public async Task HandleAsync(ContentChanged @event, EventContext context, CancellationToken cancellationToken)
    {
        await courses.DeleteAsync(@event.ProductId);
        await lessonsOfCourse.DeleteAsync(@event.ProductId);
        if (@event.LessonId is { } lesson)
        {
            await lessons.DeleteAsync(lesson);
        }
    }
}
