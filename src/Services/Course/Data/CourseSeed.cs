using Microsoft.EntityFrameworkCore;

namespace Dedao.Course.Data;

/// <summary>The catalog a fresh database starts with: 10 courses, two of them free, 8 to 12 lessons of 7 to 22 minutes each.</summary>
internal static class CourseSeed
{
    private const int TrialLessons = 1;

    private static readonly (string Subject, string Teacher)[] Subjects =
    [
        ("沟通", "脱不花"), ("时间管理", "叶武滨"), ("财务报表", "徐经长"), ("演讲", "李希"), ("谈判", "黄贵"),
        ("数据分析", "刘嘉"), ("思维模型", "万维钢"), ("英语", "李笑来"), ("营销", "小马宋"), ("育儿", "李一诺"),
    ];

    public static async Task SeedAsync(CourseDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Courses.AnyAsync(cancellationToken))
        {
            return;
        }

        db.Courses.AddRange(Enumerable.Range(1, Subjects.Length).Select(CreateCourse));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static Course CreateCourse(int number)
    {
        var (subject, teacher) = Subjects[number - 1];
        var lessonCount = 8 + number % 5;
        var isFree = number % 5 == 0;
        var course = new Course
        {
            Title = $"{subject}训练营",
            Intro = $"{teacher}用{lessonCount}节课带你练好{subject}。",
            Teacher = teacher,
            PriceFen = isFree ? 0 : number % 2 == 0 ? 49900 : 29900,
            IsFree = isFree,
        };
        course.Lessons.AddRange(Enumerable.Range(1, lessonCount).Select(lesson => new Lesson
        {
            Title = $"第{lesson}课｜{subject}的第{lesson}个练习",
            MediaUrl = $"https://media.example.com/courses/{number}/lessons/{lesson}.m3u8",
            // Lengths that look recorded, not generated: 7 to 22 minutes, to the second.
            DurationSeconds = 420 + (lesson * 397 + number * 131) % 900,
            IsTrial = lesson <= TrialLessons,
        }));
        return course;
    }
}
